"""The retention periods of docs/privacy.md, applied: what is past its period is deleted or anonymised.

`RULES` is the one table (docs/privacy.md's "Retention, applied" section mirrors it; a test checks they
agree). Each rule finds what is past its period at `now` and, unless it is a dry run, deletes or
anonymises it; the whole run, with its audit event, is one transaction, and uploaded files go from
storage once it is committed. What public-money rules require is kept: a file's amounts, dates, states
and company, the ledger, the action log and the existence of every audit event. `apply(now, dry_run)`
returns the count per rule; the command `apply_retention` prints them and records one audit event per
run that acts.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Case, Exists, OuterRef, Q, When
from django.db.models.functions import Coalesce

from tremplin.accounts.models import ApiToken, IdentityProviderLink, User
from tremplin.authority.models import Representation
from tremplin.core.models import AuditEvent, IdempotencyRecord, Notification, PendingNotification
from tremplin.network.models import Request
from tremplin.vouchers.models import Application, Message, MessageAttachment, State

YEAR = timedelta(days=365)
# A closed file never funded is kept 3 years, and so is an account unused (unless it holds a kept file).
CLOSED_FILES = 3 * YEAR
# States of a file that was never funded and is closed (a draft "closes" when it is left untouched).
NEVER_FUNDED = (State.DRAFT, State.REJECTED, State.WITHDRAWN, State.EXPIRED)
# A file's own personal data, emptied: bank data (with the bank's answer) and the quote.
FILE_DATA = dict.fromkeys(
    ["iban", "account_holder", "payee_holder_name", "payee_checked_iban", "bank_document", "quote"], ""
)
# What an anonymised declaration is born on: older than any birth date a declaration accepts.
NO_BIRTH_DATE = date(1900, 1, 1)


@dataclass(frozen=True)
class Rule:
    key: str
    data: str  # the register's line it applies
    period: timedelta
    action: str  # "delete" or "anonymise"
    find: object  # cutoff → queryset past the period
    apply: object = None  # (queryset, cutoff) → None: anonymise (or delete with more); None: delete


def _delete_files(*stored):
    names = [(f.storage, f.name) for f in stored if f]
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])


def _kept_files(cutoff):
    """Files still within their period at `cutoff`: funded or open ones, and those closed since."""
    return Application.objects.exclude(state__in=NEVER_FUNDED, updated_at__lt=cutoff)


def _relied_on(files):
    """Declarations (authority.Representation) one of `files` relies on: its owner's, for its company."""
    return Exists(files.filter(owner=OuterRef("user_id"), company=OuterRef("company_id")))


def _anonymise_representations(representations):
    representations = list(representations)
    for rep in representations:
        _delete_files(rep.register_extract, rep.statement)
    Representation.objects.filter(pk__in=[rep.pk for rep in representations]).update(
        given_names="",
        family_name="",
        birth_date=NO_BIRTH_DATE,
        register_extract="",
        statement="",
        decision_note="",
    )


def _closed_files(cutoff):
    """Files never funded and closed before `cutoff` that still hold personal data: bank data, quote,
    messages, or their owner's declaration for the company when no kept file relies on it."""
    declaration = Representation.objects.filter(
        user_id=OuterRef("owner_id"), company_id=OuterRef("company_id")
    ).exclude(_relied_on(_kept_files(cutoff)))
    return Application.objects.filter(state__in=NEVER_FUNDED, updated_at__lt=cutoff).filter(
        ~Q(**FILE_DATA)
        | Exists(Message.objects.filter(application_id=OuterRef("pk")))
        | Exists(declaration.exclude(birth_date=NO_BIRTH_DATE))
    )


def _anonymise_files(applications, cutoff):
    files = list(applications.order_by("pk"))
    pks = [application.pk for application in files]
    _anonymise_representations(
        Representation.objects.filter(_relied_on(Application.objects.filter(pk__in=pks)))
        .exclude(_relied_on(_kept_files(cutoff)))
        .exclude(birth_date=NO_BIRTH_DATE)
    )
    # The messages go, with their files (their audit events stay: the trail is append-only).
    for attachment in MessageAttachment.objects.filter(message__application__in=pks):
        _delete_files(attachment.file)
    Message.objects.filter(application__in=pks).delete()
    for application in files:
        _delete_files(application.bank_document, application.quote)
    Application.objects.filter(pk__in=pks).update(**FILE_DATA)


def _refused_checks(cutoff):
    """Refused or revoked declarations decided before `cutoff`, unless a funded (or open) file relies on
    them: the decision is the advisor's refusal, or the revocation of the mandate."""
    return (
        Representation.objects.filter(
            status__in=[Representation.Status.REFUSED, Representation.Status.REVOKED]
        )
        .alias(
            decided=Case(
                When(
                    status=Representation.Status.REVOKED,
                    then=Coalesce("mandate__revoked_at", "updated_at"),
                ),
                default=Coalesce("decided_at", "updated_at"),
            )
        )
        .filter(decided__lt=cutoff)
        .exclude(birth_date=NO_BIRTH_DATE)
        .exclude(_relied_on(Application.objects.exclude(state__in=NEVER_FUNDED)))
    )


def _unused_accounts(cutoff):
    """Accounts not used since `cutoff` and holding no kept file (a file's owner stays with the file);
    the files' period is the accounts' (CLOSED_FILES)."""
    return User.objects.filter(
        Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff),
        ~Exists(_kept_files(cutoff).filter(owner_id=OuterRef("pk"))),
        is_superuser=False,
    ).exclude(email__endswith="@invalid")


def _anonymise_accounts(users, cutoff):
    users = list(users)
    pks = {str(user.pk) for user in users}
    ApiToken.objects.filter(user__in=users).delete()
    IdentityProviderLink.objects.filter(user__in=users).delete()
    # Sessions name their user only inside their signed data: read each one (then delete, not while
    # reading: SQLite does not isolate a query from writes to the table it reads).
    signed_in = [
        session.pk
        for session in Session.objects.iterator()
        if session.get_decoded().get("_auth_user_id") in pks
    ]
    Session.objects.filter(pk__in=signed_in).delete()
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
        "api_tokens",
        "API tokens",
        YEAR,
        "delete",
        lambda cutoff: ApiToken.objects.filter(
            Q(last_used_at__lt=cutoff) | Q(last_used_at__isnull=True, created_at__lt=cutoff)
        ),
    ),
    Rule(
        "advisor_requests",
        "Requests for an advisor",
        3 * YEAR,
        "delete",
        # Their matches go with them (cascade); the action log does not point at requests.
        lambda cutoff: Request.objects.filter(touched_at__lt=cutoff),
    ),
    Rule(
        "api_replays",
        "API answers kept for retries",
        IdempotencyRecord.KEPT_FOR,
        "delete",
        lambda cutoff: IdempotencyRecord.objects.filter(created_at__lt=cutoff),
    ),
    Rule(
        "refused_checks",
        "Who acts for the company",
        YEAR,
        "anonymise",
        _refused_checks,
        lambda representations, cutoff: _anonymise_representations(representations),
    ),
    Rule("unfunded_files", "Voucher file", CLOSED_FILES, "anonymise", _closed_files, _anonymise_files),
    Rule("unused_accounts", "Account", CLOSED_FILES, "anonymise", _unused_accounts, _anonymise_accounts),
]


def apply(now, dry_run=True):
    """{rule key: rows past the period} at `now`; acted on unless `dry_run`, all or nothing."""
    counts = {}
    with transaction.atomic():
        for rule in RULES:
            cutoff = now - rule.period
            rows = rule.find(cutoff)
            counts[rule.key] = rows.count()
            if dry_run or not counts[rule.key]:
                continue
            if rule.apply is None:
                rows.delete()
            else:
                rule.apply(rows, cutoff)
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
