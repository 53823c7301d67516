from django.core.management.base import BaseCommand

from tremplin.vouchers import services


class Command(BaseCommand):
    help = (
        "Daily jobs: expire vouchers past their deadline, remind owners of vouchers about to expire, and "
        "advisors of files nearing their review time target."
    )

    def handle(self, *args, **options):
        expired = services.expire_due()
        reminded = services.send_expiry_reminders()
        self.stdout.write(f"{expired} voucher(s) expired, {reminded} reminder(s) sent.")
        review_reminded = services.send_review_reminders()
        self.stdout.write(f"{review_reminded} review reminder(s) sent.")
