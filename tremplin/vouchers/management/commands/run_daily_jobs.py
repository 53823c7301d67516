from django.core.management.base import BaseCommand

from tremplin.vouchers import services


class Command(BaseCommand):
    help = "Daily jobs: expire vouchers past their deadline, then remind owners of vouchers about to expire."

    def handle(self, *args, **options):
        expired = services.expire_due()
        reminded = services.send_expiry_reminders()
        self.stdout.write(f"{expired} voucher(s) expired, {reminded} reminder(s) sent.")
