"""A file's timeline as people read it: one sentence per audit event, from the workflow's declaration.

The owner (and anyone else the file is shown to outside the programme's staff) reads the events meant
for her; advisors, managers and auditors read every event, with who acted, in which role, and every
reason (`WORKFLOW.event_shown_to`). The chosen provider reads the same events as the owner without any
reason: those are the owner's exchange with the programme (docs/privacy.md)."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import translation

from tremplin.accounts.models import Role
from tremplin.core.models import AuditEvent
from tremplin.vouchers.models import RejectionReason, State
from tremplin.vouchers.workflow import WORKFLOW

STAFF_ROLES = {Role.ADVISOR, Role.MANAGER, Role.AUDITOR}


@dataclass
class Entry:
    event: AuditEvent
    label: str
    at: datetime
    actor: object  # the user, or None for the platform itself
    actor_role: str
    from_label: str
    to_label: str
    reason: str


def timeline(application, user) -> list[Entry]:
    staff = getattr(user, "role", None) in STAFF_ROLES
    provider = getattr(user, "role", None) == Role.PROVIDER
    states = dict(State.choices)
    roles = dict(Role.choices)
    entries = []
    for event in AuditEvent.objects.for_object(application).select_related("actor"):
        shown, reason_shown = WORKFLOW.event_shown_to(event.action, staff)
        if not shown:
            continue
        entries.append(
            Entry(
                event=event,
                label=WORKFLOW.event_label(event.action, event.data),
                at=event.at,
                actor=event.actor,
                actor_role=str(roles.get(event.actor.role, "")) if event.actor else "",
                from_label=str(states.get(event.from_state, "")),
                to_label=str(states.get(event.to_state, "")),
                reason=_reason(event) if reason_shown and not provider else "",
            )
        )
    return entries


def _reason(event):
    """The event's reason; a refusal's listed reason, kept in French, in the page's language."""
    code = (event.data or {}).get("reason_code")
    if event.action != "reject" or code not in RejectionReason.values:
        return event.reason
    with translation.override(settings.LANGUAGE_CODE):
        french = str(RejectionReason(code).label)
    if not event.reason.startswith(french):
        return event.reason
    return str(RejectionReason(code).label) + event.reason[len(french) :]
