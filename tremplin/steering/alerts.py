"""Budget alerts: managers are told once per envelope and threshold (50, 75, 90 % committed).

`send_budget_alerts` is run by the task queue (`tasks.budget_alerts`), enqueued by the management command
`steering_budget_alerts` (meant to be scheduled, e.g. every hour) and after each reservation (a signal of
this app on the ledger: schemes never imports steering). A threshold is recorded in `BudgetAlert` in the
same transaction as the notifications, so a re-run sends nothing twice; when several thresholds are crossed
at once, one message names the highest.
"""

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse

from tremplin.accounts.models import Role
from tremplin.core.language import programme_language
from tremplin.core.notifications import notify
from tremplin.steering.budget import THRESHOLDS, live_figures
from tremplin.steering.models import BudgetAlert
from tremplin.steering.scope import Scope

NATION = Scope(national=True, departements=frozenset(), label="")
SUBJECT = "Budget {envelope} : {threshold} % engagés"


def crossed(committed_cents, total_cents):
    """The thresholds `committed` has reached, in integers (committed × 100 ≥ threshold × total)."""
    if total_cents <= 0:
        return []
    return [t for t in THRESHOLDS if committed_cents * 100 >= t * total_cents]


@programme_language
def send_budget_alerts(envelope_ids=None, now=None):
    """Alert the active managers of every threshold newly crossed; returns the number of alerts recorded."""
    recorded = 0
    managers = list(get_user_model().objects.filter(role=Role.MANAGER, is_active=True).order_by("pk"))
    sent = set(BudgetAlert.objects.values_list("envelope_id", "threshold"))
    for fig in live_figures(NATION, now, envelope_ids=envelope_ids):
        envelope = fig.envelope
        new = [t for t in crossed(fig.committed_cents, fig.total_cents) if (envelope.pk, t) not in sent]
        if not new:
            continue
        try:
            with transaction.atomic():
                for threshold in new:
                    BudgetAlert.objects.create(
                        envelope=envelope,
                        threshold=threshold,
                        committed_cents=fig.committed_cents,
                        total_cents=fig.total_cents,
                    )
                for manager in managers:
                    notify(
                        manager,
                        SUBJECT,
                        "steering/emails/budget_alert.txt",
                        link=reverse("steering:budget"),
                        subject_params={"envelope": str(envelope), "threshold": max(new)},
                        envelope=envelope,
                        figures=fig,
                        threshold=max(new),
                    )
        except IntegrityError:
            continue  # another run recorded it first: it sent the alert
        recorded += len(new)
    return recorded
