"""`manage.py totp_code <email>`: the current second-factor code of a demo staff account.

Only for a device whose key is the published demo key (tremplin.demo.seed.DEMO_TOTP_KEY): the command
never reads out a real person's secret.
"""

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tremplin.demo.seed import DEMO_TOTP_KEY


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo staff account (demo key only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        device = TOTPDevice.objects.filter(user__email__iexact=email.strip(), confirmed=True).first()
        if device is None:
            raise CommandError(f"{email}: no confirmed TOTP device.")
        if device.key.lower() != DEMO_TOTP_KEY:
            raise CommandError(f"{email}: this device's key is not the demo key; refusing to print its code.")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
        self.stdout.write(str(code).zfill(device.digits))
