"""The workflow spine on a model of its own: checks, moves, audit, system actor, derived sets."""

from dataclasses import replace

import pytest
from django.db import models
from django.utils import translation

from tremplin.accounts.models import Role, User
from tremplin.core.errors import Conflict, PermissionDenied
from tremplin.core.models import AuditEvent
from tremplin.core.workflow import SYSTEM, StateInfo, Workflow, transition


class Light(models.TextChoices):
    RED = "red", "Rouge"
    GREEN = "green", "Vert"
    OFF = "off", "Éteint"


def make_workflow(notified):
    return Workflow(
        model=User,
        states=Light,
        field="first_name",
        noun="le feu",
        roles={"manager": lambda user, obj: user.role == Role.MANAGER},
        state_info={
            Light.RED: StateInfo(badge="fr-badge--error", tags=frozenset({"lit"})),
            Light.GREEN: StateInfo(tags=frozenset({"lit"})),
        },
        events={"checked": "Vérifié"},
        transitions=[
            transition(
                "go",
                Light.RED,
                Light.GREEN,
                "manager",
                label="Passé au vert",
                notify=lambda obj, actor, reason, data: notified.append((obj.pk, reason)),
            ),
            transition("stop", [Light.GREEN, Light.RED], Light.RED, ["manager", "system"], also=[Light.OFF]),
            transition("switch_off", Light.RED, Light.OFF, "system"),
        ],
    )


@pytest.fixture
def light(db):
    return User.objects.create(email="feu@example.org", first_name=Light.RED)


@pytest.fixture
def manager(db):
    return User.objects.create(email="m@example.org", role=Role.MANAGER)


def test_it_moves_audits_and_notifies(light, manager):
    notified = []
    wf = make_workflow(notified)
    wf.perform(manager, light, "go", reason="matin")
    light.refresh_from_db()
    assert light.first_name == Light.GREEN
    event = AuditEvent.objects.for_object(light).get()
    assert (event.action, event.from_state, event.to_state, event.reason, event.actor) == (
        "go",
        "red",
        "green",
        "matin",
        manager,
    )
    assert notified == [(light.pk, "matin")]


def test_it_refuses_a_role_not_declared(light, db):
    owner = User.objects.create(email="o@example.org", role=Role.OWNER)
    with pytest.raises(PermissionDenied):
        make_workflow([]).perform(owner, light, "go")
    light.refresh_from_db()
    assert light.first_name == Light.RED
    assert not AuditEvent.objects.for_object(light).exists()


def test_it_refuses_a_wrong_start_state_and_names_the_state(light, manager):
    wf = make_workflow([])
    wf.perform(manager, light, "go")
    with pytest.raises(Conflict, match="« Vert »"):
        wf.perform(manager, light, "go")


def test_system_actions_refuse_people_and_audit_no_one(light, manager):
    wf = make_workflow([])
    with pytest.raises(PermissionDenied, match="automatiquement"):
        wf.perform(manager, light, "switch_off")
    wf.perform(SYSTEM, light, "switch_off")
    assert AuditEvent.objects.for_object(light).get().actor is None


def test_apply_chooses_among_declared_targets_and_rolls_back_otherwise(light, manager):
    wf = make_workflow([])
    wf.perform(manager, light, "stop", apply=lambda obj: Light.OFF)
    light.refresh_from_db()
    assert light.first_name == Light.OFF
    light.first_name = Light.RED
    light.save()
    with pytest.raises(ValueError):
        wf.perform(manager, light, "stop", apply=lambda obj: Light.GREEN)
    light.refresh_from_db()
    assert light.first_name == Light.RED


def test_a_failing_apply_leaves_nothing(light, manager):
    def boom(obj):
        raise Conflict("nope", "Non.")

    with pytest.raises(Conflict):
        make_workflow([]).perform(manager, light, "go", apply=boom)
    light.refresh_from_db()
    assert light.first_name == Light.RED
    assert not AuditEvent.objects.for_object(light).exists()


def test_derived_sets_and_labels(light, manager):
    wf = make_workflow([])
    assert wf.tagged("lit") == {Light.RED, Light.GREEN}
    assert wf.sources("go", "stop") == {Light.RED, Light.GREEN}
    assert [t.name for t in wf.allowed(manager, light)] == ["go", "stop"]
    assert wf.allowed(SYSTEM, light)[-1].name == "switch_off"
    assert wf.event_label("go") == "Passé au vert"
    assert wf.event_label("checked") == "Vérifié"
    assert wf.badge(Light.RED) == "fr-badge--error"


def test_a_declaration_with_an_unknown_state_or_role_is_refused():
    with pytest.raises(ValueError, match="unknown states"):
        Workflow(
            model=User,
            states=Light,
            noun="x",
            roles={},
            transitions=[transition("t", "blue", Light.RED, "system")],
        )
    with pytest.raises(ValueError, match="undeclared roles"):
        Workflow(
            model=User,
            states=Light,
            noun="x",
            roles={},
            transitions=[transition("t", Light.RED, Light.GREEN, "owner")],
        )


def test_a_transition_runs_in_the_programme_s_language_whatever_the_caller_s(light, manager):
    """Its reason, audit data and notification are French even when the person browses in English."""
    seen = []
    wf = make_workflow([])
    wf.transitions["go"] = replace(wf["go"], notify=lambda obj, **kw: seen.append(translation.get_language()))
    with translation.override("en"):
        wf.perform(manager, light, "go")
        assert translation.get_language() == "en"
    assert seen == ["fr"]
