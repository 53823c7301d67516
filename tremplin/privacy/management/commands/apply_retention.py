"""Apply the retention periods of docs/privacy.md: a dry run by default, `--apply` to act (daily, cron)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from tremplin.privacy import retention


class Command(BaseCommand):
    help = "Erase or anonymise the personal data past its retention period (dry run unless --apply)."

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="act; without it, only count")

    def handle(self, *args, apply=False, **options):
        counts = retention.apply(timezone.now(), dry_run=not apply)
        verb = "done" if apply else "to do (dry run: nothing changed; --apply acts)"
        for rule in retention.RULES:
            self.stdout.write(
                f"{rule.key}: {counts[rule.key]} to {rule.action}, past {rule.period.days} days"
            )
        self.stdout.write(f"Retention {verb}.")
