"""The retention periods of docs/privacy.md, applied: what is past its period is deleted or anonymised.

`RULES` is the one table (docs/privacy.md's "Retention, applied" section mirrors it; a test checks they
agree). Each rule finds what is past its period at `now` and, unless it is a dry run, deletes or
anonymises it in its own transaction; uploaded files go from storage once that transaction is committed.
What public-money rules require is kept: a file's amounts, dates, states and company, the ledger, and the
existence of every audit event. `apply(now, dry_run)` returns the count per rule; the command
`apply_retention` prints them and records one audit event per run that acts.
"""

from dataclasses import dataclass
from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q

from tremplin.accounts.models import User
from tremplin.authority.models import Representation
from tremplin.core.models import AuditEvent, Notification, PendingNotification
from tremplin.vouchers.models import Application, State

YEAR = timedelta(days=365)
# States of a file that was never funded and is closed (a draft "closes" when it is left untouched).
NEVER_FUNDED = (State.DRAFT, State.REJECTED, State.WITHDRAWN, State.EXPIRED)


@dataclass(frozen=True)
class Rule:
    key: str
    data: str  # the register's line it applies
    period: timedelta
    action: str  # "delete" or "anonymise"
    find: object  # cutoff → queryset past the period
    apply: object = None  # queryset → None (anonymise); None: delete the rows


def _delete_files(*stored):
    names = [(f.storage, f.name) for f in stored if f]
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])


def _anonymise_files(applications):
    for application in applications.select_related("company"):
        representations = Representation.objects.filter(
            user_id=application.owner_id, company=application.company
        )
        for rep in representations:
            _delete_files(rep.register_extract, rep.statement)
        representations.update(
            given_names="", family_name="", register_extract="", statement="", decision_note=""
        )
        _delete_files(application.bank_document, application.quote)
        Application.objects.filter(pk=application.pk).update(
            iban="",
            account_holder="",
            payee_holder_name="",
            payee_checked_iban="",
            bank_document="",
            quote="",
        )


def _anonymise_accounts(users):
    for user in users:
        user.email = f"anonymised-{user.pk}@invalid"
        user.first_name = user.last_name = ""
        user.is_active = user.email_verified = False
        user.set_unusable_password()
        user.save(
            update_fields=["email", "first_name", "last_name", "is_active", "email_verified", "password"]
        )


RULES = [
    Rule(
        "notifications",
        "Notifications and digests",
        YEAR,
        "delete",
        lambda cutoff: Notification.objects.filter(created_at__lt=cutoff),
    ),
    Rule(
        "pending_notifications",
        "Notifications and digests",
        YEAR,
        "delete",
        lambda cutoff: PendingNotification.objects.filter(created_at__lt=cutoff),
    ),
    Rule(
        "sign_in_attempts",
        "Sign-in attempts",
        YEAR,
        "delete",
        lambda cutoff: AccessAttempt.objects.filter(attempt_time__lt=cutoff),
    ),
    Rule(
        "sign_in_log",
        "Sign-in attempts",
        YEAR,
        "delete",
        lambda cutoff: AccessLog.objects.filter(attempt_time__lt=cutoff),
    ),
    Rule(
        "sign_in_failures",
        "Sign-in attempts",
        YEAR,
        "delete",
        lambda cutoff: AccessFailureLog.objects.filter(attempt_time__lt=cutoff),
    ),
    Rule(
        "unfunded_files",
        "Voucher file",
        3 * YEAR,
        "anonymise",
        lambda cutoff: Application.objects.filter(state__in=NEVER_FUNDED, updated_at__lt=cutoff).exclude(
            iban="", bank_document="", quote=""
        ),
        _anonymise_files,
    ),
    Rule(
        "unused_accounts",
        "Account",
        3 * YEAR,
        "anonymise",
        # Not used for the period, and holding no file (a file's owner stays with the file).
        lambda cutoff: User.objects.filter(
            Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff),
            applications__isnull=True,
            is_superuser=False,
        ).exclude(email__endswith="@invalid"),
        _anonymise_accounts,
    ),
]


def apply(now, dry_run=True):
    """{rule key: rows past the period} at `now`; acted on unless `dry_run`."""
    counts = {}
    for rule in RULES:
        with transaction.atomic():
            rows = rule.find(now - rule.period)
            counts[rule.key] = rows.count()
            if dry_run or not counts[rule.key]:
                continue
            if rule.apply is None:
                rows.delete()
            else:
                rule.apply(rows)
    if not dry_run:
        # One event per run, about the retention itself (it acts on many objects, owned by no one).
        AuditEvent.objects.create(
            actor=None,
            content_type=ContentType.objects.get_for_model(AuditEvent),
            object_id="retention",
            action="apply_retention",
            data={"counts": counts, "at": now.isoformat()},
        )
    return counts
