"""The second factor (TOTP, django-otp) of advisors, managers and auditors, and their recovery codes.

A session counts as verified when django-otp verified it (`django_otp.login`, the device's id in the
session) or when the identity provider already authenticated the person strongly: ProConnect puts the
ACR it obtained in `session[IDENTITY_PROVIDER_ACR_SESSION_KEY]`, and eIDAS substantial or high counts.
"""

import base64

import segno
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_noop
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tremplin.core import audit
from tremplin.core.errors import ServiceError
from tremplin.core.notifications import notify

IDENTITY_PROVIDER_ACR_SESSION_KEY = "auth_acr"
STRONG_ACRS = frozenset({"eidas2", "eidas3"})
RECOVERY_CODES = 10


def required_for(user):
    """Whether `user` must pass a second factor (their role is in settings.SECOND_FACTOR_ROLES)."""
    return bool(getattr(user, "is_authenticated", False)) and user.role in settings.SECOND_FACTOR_ROLES


def is_verified(request):
    if request.session.get(IDENTITY_PROVIDER_ACR_SESSION_KEY) in STRONG_ACRS:
        return True
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


def confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_device(user):
    return StaticDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user):
    """The unconfirmed TOTP device being enrolled (made on first visit of the enrolment page)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Application d'authentification", confirmed=False)
    return device


def base32_key(device):
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def grouped_key(device):
    key = base32_key(device)
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_data_uri(device):
    """The otpauth:// URL (issuer: settings.OTP_TOTP_ISSUER) as an SVG data URI (CSP allows `img-src data:`)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2, dark="#000091")


def remaining_recovery_codes(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _check(device, code):
    """Verify `code` on `device` with django-otp's throttling; raise a ServiceError in French if refused."""
    allowed, details = device.verify_is_allowed()
    if not allowed:
        raise ServiceError(
            "throttled",
            gettext_noop("Trop d'essais incorrects : patientez quelques secondes avant de réessayer."),
            "code",
        )
    if not device.verify_token(code):
        raise ServiceError(
            "wrong_code", gettext_noop("Ce code est incorrect ou a expiré. Vérifiez-le et réessayez."), "code"
        )


def _normalise(code):
    return "".join((code or "").split()).replace("-", "").lower()


def _new_recovery_codes(user):
    """Replace the person's recovery codes by ten new ones; returns them (shown once)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Codes de secours", confirmed=True)
    codes = []
    for _ in range(RECOVERY_CODES):
        code = StaticToken.random_token()
        device.token_set.create(token=code)
        codes.append(code)
    return codes


def enrol(request, device, code):
    """Confirm the pending device with a code from the app; the session becomes verified. Returns the codes."""
    user = request.user
    device = TOTPDevice.objects.get(pk=device.pk, user=user, confirmed=False)
    # Outside the transaction: a refused code must leave its throttling count written.
    _check(device, _normalise(code))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        audit.record(user, actor=user, action="second_factor_enrolled", device=device.persistent_id)
    otp_login(request, device)
    return codes


def verify(request, code):
    """Verify the session with a code of the app or a recovery code (single use)."""
    user = request.user
    code = _normalise(code)
    device = confirmed_device(user)
    if device is None:
        raise ServiceError(
            "no_device", gettext_noop("Aucune application d'authentification n'est associée à ce compte.")
        )
    if code.isdigit() and len(code) == 6:
        _check(device, code)
        otp_login(request, device)
        return device
    recovery = recovery_device(user)
    if recovery is None:
        raise ServiceError(
            "wrong_code", gettext_noop("Ce code est incorrect ou a expiré. Vérifiez-le et réessayez."), "code"
        )
    _check(recovery, code)  # a used code is deleted: it never works twice
    with transaction.atomic():
        audit.record(user, actor=user, action="recovery_code_used", remaining=recovery.token_set.count())
    otp_login(request, recovery)
    return recovery


def regenerate_recovery_codes(request, code):
    """New recovery codes, after a code of the app (re-verification). The old ones stop working."""
    user = request.user
    device = confirmed_device(user)
    if device is None:
        raise ServiceError(
            "no_device", gettext_noop("Aucune application d'authentification n'est associée à ce compte.")
        )
    _check(device, _normalise(code))
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit.record(user, actor=user, action="recovery_codes_regenerated")
        notify(
            user,
            "Tremplin Numérique : vos codes de secours ont été renouvelés",
            "accounts/emails/recovery_codes_regenerated.txt",
            legal=True,
        )
    return codes


def reset_device(request, code):
    """Forget the app and the recovery codes, after a code of the app; the person enrols again."""
    user = request.user
    device = confirmed_device(user)
    if device is None:
        raise ServiceError(
            "no_device", gettext_noop("Aucune application d'authentification n'est associée à ce compte.")
        )
    _check(device, _normalise(code))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit.record(user, actor=user, action="second_factor_reset")
        notify(
            user,
            "Tremplin Numérique : votre double authentification a été réinitialisée",
            "accounts/emails/second_factor_reset.txt",
            legal=True,
        )
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
