"""The test side of the second factor: a staff person's phone (a known TOTP key) and verified sessions.

Staff people made by UserFactory carry a confirmed TOTP device (`second_factor=False` for one without),
and `Client.force_login` (patched in tests/conftest.py) verifies the session the way `django_otp.login`
does: the device's persistent id in the session. `force_login(user, verified=False)` for a session that
only passed the password.
"""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tremplin.accounts import second_factor

# 20 bytes, hex, as TOTPDevice stores them: every test person's phone has the same key.
TEST_KEY = "3132333435363738393031323334353637383930"


def give_device(user, key=TEST_KEY):
    return TOTPDevice.objects.create(user=user, name="Téléphone", key=key, confirmed=True)


def code_for(device, at=None):
    """The code the person's app shows now (or at time `at`), as six digits."""
    kwargs = {} if at is None else {"clock": at}
    return str(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, **kwargs)).zfill(
        device.digits
    )


def fresh_code(user):
    """A code the device accepts now: forgets the last code used (a test signs in twice in 30 seconds)."""
    device = second_factor.confirmed_device(user)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    device.refresh_from_db()
    return code_for(device)


def verify_session(client, user):
    """Verify the session of a staff person with their device (given one first if they have none: staff
    made without UserFactory, by a service or create_user)."""
    if not second_factor.required_for(user):
        return
    device = second_factor.confirmed_device(user) or give_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
