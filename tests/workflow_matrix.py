"""A role matrix generated from a workflow's declaration, for any workflow of the spine.

For every transition and every state it starts from, every person not holding one of the roles the
transition names (and SYSTEM, unless it is named) is refused with PermissionDenied and changes
nothing; then each role it names takes it and the object ends in one of its declared states. A new
transition is covered as soon as it is declared: the test asking for a driver per transition fails
until it has one.

What a test module gives:
- `workflow`: the `Workflow`;
- `build(state, name)`: a fresh object in `state`, ready for transition `name` (see `path_to`);
- `people`: person key → user (None for someone not signed in);
- `holders`: declared role → the key in `people` of who holds it on the objects `build` makes;
- `drive(actor, obj, name)`: takes the transition, through its service function where it has one;
- `snapshot(obj)` (optional): what must not change when someone is refused; by default the state
  and the object's audit events.
"""

from collections import deque

import pytest
from django.contrib.auth.models import AnonymousUser

from tremplin.core.errors import PermissionDenied
from tremplin.core.models import AuditEvent
from tremplin.core.workflow import SYSTEM, SYSTEM_ROLE


def cases(workflow):
    """One case per (transition, start state), named for the report."""
    return [
        pytest.param(t.name, source, id=f"{t.name}-from-{source}")
        for t in workflow
        for source in sorted(t.sources)
    ]


def path_to(workflow, start, state):
    """The shortest list of transition names taking an object from `start` to `state` (by declared
    end states), so that a builder reaches any state the way people would."""
    seen, queue = {start}, deque([(start, [])])
    while queue:
        current, names = queue.popleft()
        if current == state:
            return names
        for t in workflow:
            if current in t.sources:
                for target in sorted(t.targets - seen):
                    seen.add(target)
                    queue.append((target, [*names, t.name]))
    raise ValueError(f"{state!r} cannot be reached from {start!r}")


def default_snapshot(workflow):
    def snapshot(obj):
        fresh = type(obj).objects.get(pk=obj.pk)
        events = AuditEvent.objects.for_object(obj).values_list("action", "from_state", "to_state")
        return workflow.state_of(fresh), list(events)

    return snapshot


def actor_for(role, people, holders):
    return SYSTEM if role == SYSTEM_ROLE else people[holders[role]]


def check_transition(workflow, name, source, *, build, people, holders, drive, snapshot=None):
    t = workflow[name]
    snapshot = snapshot or default_snapshot(workflow)
    allowed = [actor_for(role, people, holders) for role in sorted(t.who)]
    refused = [user or AnonymousUser() for user in people.values() if user not in allowed]
    if SYSTEM not in allowed:
        refused.append(SYSTEM)

    obj = build(source, name)
    assert workflow.state_of(obj) == source
    before = snapshot(obj)
    for actor in refused:
        with pytest.raises(PermissionDenied):
            drive(actor, type(obj).objects.get(pk=obj.pk), name)
        assert snapshot(obj) == before, f"{name} refused to {actor!r} changed something"

    for index, actor in enumerate(allowed):
        obj = obj if index == 0 else build(source, name)
        drive(actor, type(obj).objects.get(pk=obj.pk), name)
        assert workflow.state_of(type(obj).objects.get(pk=obj.pk)) in t.targets, f"{name} by {actor!r}"
