"""One way to declare a stateful model's workflow, and one way to move it.

Each workflow lists its states (with what the pages show of them) and its transitions once: name,
start states, end state, who may take it, the labels people read, the message shown once it is done
and the notification it sends. `Workflow.perform()` is the only path that changes the state: it locks
the row, checks who acts and from which state, runs the service's own work, moves the state, writes
the audit event and queues the notification for after the commit, all in the programme's language
(`core.language`). Buttons, badges, next steps, state sets and the audit timeline's labels are read
from the declarations, never written again elsewhere.

Scheduled jobs and automatic moves (promotion from a waiting list, a draw, an expiry) act as `SYSTEM`.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction

from tremplin.core import audit
from tremplin.core.errors import Conflict, PermissionDenied
from tremplin.core.language import in_programme_language


class _System:
    """The platform itself, acting on its own (daily jobs, waiting-list promotion). Audited as no one."""

    pk = None
    is_authenticated = False
    role = "system"

    def __repr__(self):
        return "SYSTEM"


SYSTEM = _System()
SYSTEM_ROLE = "system"


@dataclass(frozen=True)
class StateInfo:
    """What people are shown of a state, and the sets it belongs to (`tags`)."""

    badge: str = ""
    hint: str = ""
    tags: frozenset = frozenset()


# Who reads an event on the timeline, or its reason: everyone who may see the object, or its staff only
# (advisors, managers, auditors): an internal note, the assignment of a file.
EVERYONE, STAFF = "everyone", "staff"


@dataclass(frozen=True)
class Event:
    """An audit action that is not a transition (a reminder, an assignment), as the timeline tells it.

    `label` may name values of the event's data in braces ("Dossier attribué à {to_advisor}")."""

    label: str
    shown_to: str = EVERYONE
    reason_shown_to: str = EVERYONE


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset
    target: str
    who: frozenset
    # Past tense, for the audit timeline ("Chèque accordé"); may name values of the event's data in braces.
    label: str = ""
    # Who reads the event on the timeline, and its reason (EVERYONE or STAFF).
    shown_to: str = EVERYONE
    reason_shown_to: str = EVERYONE
    # The action as offered on a page: the form's title and its button.
    title: str = ""
    button: str = ""
    # Shown to the person once the action is done.
    success: str = ""
    # Other end states the service may choose (a submission funded or waitlisted).
    also: frozenset = frozenset()
    # Called inside the transaction with (obj, actor, reason, data); emails leave after the commit.
    notify: Callable | None = None

    @property
    def targets(self):
        return {self.target, *self.also}


def transition(name, sources, target, who, **options):
    """Declare a transition; `sources` and `who` may be one value or several."""
    as_set = lambda value: frozenset([value] if isinstance(value, str) else value)  # noqa: E731
    also = frozenset(options.pop("also", ()))
    return Transition(name, as_set(sources), target, as_set(who), also=also, **options)


class _Blanks(dict):
    """An event's data for its label: a value an older event lacks reads as an ellipsis."""

    def __missing__(self, key):
        return "…"


@dataclass
class Workflow:
    """A model's states and transitions, and the one path that moves it.

    `roles` maps each role name used in `who` to a predicate `(user, obj) -> bool`.
    `denied` may return a more specific PermissionDenied for a user refused a transition.
    `events` labels audit actions that are not transitions (a reminder, an assignment): an `Event`, or its
    label alone. With `declares_every_event`, an audit event of an action it does not name is refused on
    the model: every line of its timeline then has a sentence.
    """

    model: type
    states: type
    transitions: Iterable[Transition]
    roles: dict[str, Callable]
    noun: str
    state_info: dict = field(default_factory=dict)
    events: dict = field(default_factory=dict)
    field: str = "state"
    lock: Callable | None = None
    denied: Callable | None = None
    declares_every_event: bool = False

    def __post_init__(self):
        self.transitions = {t.name: t for t in self.transitions}
        self.events = {
            name: event if isinstance(event, Event) else Event(event) for name, event in self.events.items()
        }
        if self.declares_every_event:
            audit.declare(self.model, {*self.transitions, *self.events})
        values = set(self.states.values)
        for t in self.transitions.values():
            unknown = (t.sources | t.targets) - values
            if unknown:
                raise ValueError(f"{t.name}: unknown states {sorted(unknown)}")
            missing = t.who - set(self.roles) - {SYSTEM_ROLE}
            if missing:
                raise ValueError(f"{t.name}: undeclared roles {sorted(missing)}")

    def __getitem__(self, name) -> Transition:
        return self.transitions[name]

    def __iter__(self):
        return iter(self.transitions.values())

    # --- reading ----------------------------------------------------------------------------------

    def state_of(self, obj):
        return getattr(obj, self.field)

    def label(self, state):
        return dict(self.states.choices).get(state, state)

    def badge(self, state):
        return self.state_info.get(state, StateInfo()).badge

    def hint(self, state):
        return self.state_info.get(state, StateInfo()).hint

    def tagged(self, tag) -> frozenset:
        """The states carrying `tag` in their StateInfo."""
        return frozenset(s for s in self.states if tag in self.state_info.get(s, StateInfo()).tags)

    def sources(self, *names) -> frozenset:
        return frozenset().union(*(self.transitions[n].sources for n in names))

    def _event(self, action):
        if action in self.transitions and self.transitions[action].label:
            return self.transitions[action]
        return self.events.get(action)

    def event_label(self, action, data=None):
        """The timeline's sentence for `action`, its braces filled from the event's `data`."""
        event = self._event(action)
        if event is None:
            return action
        if data is None:
            return event.label
        return str(event.label).format_map(_Blanks(data))

    def event_shown_to(self, action, staff):
        """Whether the event, and its reason, are shown to a reader (`staff`: advisor, manager, auditor)."""
        event = self._event(action)
        shown, reason = (event.shown_to, event.reason_shown_to) if event else (EVERYONE, EVERYONE)
        return (staff or shown == EVERYONE), (staff or reason == EVERYONE)

    def may(self, user, obj, name) -> bool:
        """Whether `user` holds a role allowed to take this transition on `obj` (state not considered)."""
        t = self.transitions[name]
        if user is SYSTEM:
            return SYSTEM_ROLE in t.who
        if not user or not getattr(user, "is_authenticated", False):
            return False
        return any(self.roles[role](user, obj) for role in t.who if role != SYSTEM_ROLE)

    def allowed(self, user, obj) -> list[Transition]:
        """Transitions `user` may take on `obj` now: the buttons to show."""
        state = self.state_of(obj)
        return [t for t in self.transitions.values() if state in t.sources and self.may(user, obj, t.name)]

    # --- acting -----------------------------------------------------------------------------------

    def guard(self, actor, obj, name):
        t = self.transitions[name]
        if not self.may(actor, obj, name):
            if actor is not SYSTEM and SYSTEM_ROLE in t.who and not (t.who - {SYSTEM_ROLE}):
                raise PermissionDenied("forbidden", "Cette étape est faite automatiquement.")
            specific = self.denied(actor, obj, t) if self.denied else None
            raise specific or PermissionDenied(
                "forbidden", f"Vous n'avez pas le droit d'effectuer cette action sur {self.noun}."
            )
        state = self.state_of(obj)
        if state not in t.sources:
            raise Conflict(
                "invalid_transition",
                f"Cette action n'est pas possible : {self.noun} est « {self.label(state)} ».",
            )

    def _locked(self, obj):
        if self.lock:
            return self.lock(obj)
        return type(obj).objects.select_for_update().get(pk=obj.pk)

    def perform(self, actor, obj, name, *, reason="", to=None, apply=None, locked=False, **data):
        """Take transition `name` on `obj` as `actor`, in one transaction; returns the (re-read) object.

        `apply(obj)` runs under the lock after the checks, for the service's own work; it may return
        the end state when the transition declares several. `locked=True` when the caller already holds
        the row lock in its transaction (the object is then used as given).
        """
        t = self.transitions[name]
        # What a transition stores (its reason, its audit data) and sends is in the programme's language.
        # A caller holding the lock has its own transaction: a failure here undoes it there, so no savepoint
        # (two round trips fewer while the lock is held).
        with in_programme_language(), transaction.atomic(savepoint=not locked):
            if not locked:
                obj = self._locked(obj)
            self.guard(actor, obj, name)
            chosen = apply(obj) if apply else None
            target = chosen or to or t.target
            if target not in t.targets:
                raise ValueError(f"{name} cannot end in {target!r}")
            from_state = self.state_of(obj)
            setattr(obj, self.field, target)
            obj.save()
            audit.record(
                obj, actor=actor, action=name, from_state=from_state, to_state=target, reason=reason, **data
            )
            if t.notify:
                t.notify(obj, actor=actor, reason=reason, data=data)
        return obj

    def table(self):
        """(name, from-states, to-states, roles) of every transition: for documentation and tests."""
        return [
            (t.name, sorted(t.sources), sorted(t.targets), sorted(t.who)) for t in self.transitions.values()
        ]
