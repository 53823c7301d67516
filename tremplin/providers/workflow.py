"""The spine's Workflow, with the refusal each providers' service has always given when the state
does not allow an action: its own code and sentence ("already_answered", "request_closed"...), which
pages and API clients know, instead of the spine's generic "invalid_transition"."""

from dataclasses import dataclass, field

from tremplin.core import workflow
from tremplin.core.errors import Conflict


@dataclass
class WorkflowWithConflicts(workflow.Workflow):
    # transition name -> callable(obj) returning the Conflict to raise when obj's state does not allow it.
    conflicts: dict = field(default_factory=dict)

    def guard(self, actor, obj, name):
        try:
            super().guard(actor, obj, name)
        except Conflict as exc:
            if exc.code != "invalid_transition" or name not in self.conflicts:
                raise
            raise self.conflicts[name](obj) from None
