import pytest

from tests.diagnostics.conftest import answer_all, completed
from tests.diagnostics.helpers import Q, all_maximum, all_minimum
from tests.factories import CompanyFactory
from tremplin.core.errors import Conflict, PermissionDenied, ServiceError
from tremplin.core.models import AuditEvent
from tremplin.diagnostics import services
from tremplin.diagnostics.models import Diagnostic, PeerBucket, PeerGroup, State


def test_an_owner_starts_a_diagnostic_of_the_current_version_and_it_is_traced(owner, company):
    diagnostic, created = services.start(owner, company)
    assert created
    assert diagnostic.owner == owner
    assert diagnostic.conducted_by is None
    assert diagnostic.version == Q.version
    assert AuditEvent.objects.for_object(diagnostic).get().action == "diagnostic_started"


def test_starting_again_resumes_the_unfinished_diagnostic(owner, company, in_progress):
    diagnostic, created = services.start(owner, company)
    assert not created
    assert diagnostic.pk == in_progress.pk


def test_a_ceased_company_cannot_start_a_diagnostic(owner, rhone):
    ceased = CompanyFactory(departement=rhone, state="C")
    with pytest.raises(ServiceError) as error:
        services.start(owner, ceased)
    assert error.value.code == "company_ceased"
    assert not Diagnostic.objects.exists()


def test_an_advisor_runs_a_diagnostic_of_their_territory_and_it_counts_as_a_network_action(
    advisor, owner, company
):
    diagnostic = completed(advisor, company, owner=owner)
    assert diagnostic.conducted_by == advisor
    assert diagnostic.owner == owner
    actions = list(AuditEvent.objects.for_object(diagnostic).values_list("action", flat=True))
    assert actions == ["diagnostic_started", "diagnostic_completed", "diagnostic_conducted"]
    conducted = AuditEvent.objects.get(action="diagnostic_conducted")
    assert conducted.actor == advisor
    assert conducted.data["organisation"] == advisor.organisation_id


def test_an_advisor_cannot_start_a_diagnostic_in_another_territory(far_advisor, company):
    with pytest.raises(PermissionDenied) as error:
        services.start(far_advisor, company)
    assert error.value.code == "other_territory"


@pytest.mark.parametrize("role", ["manager", "auditor", "provider_member"])
def test_other_roles_cannot_start_a_diagnostic(request, role, company):
    with pytest.raises(PermissionDenied):
        services.start(request.getfixturevalue(role), company)


def test_answers_are_merged_screen_by_screen(owner, in_progress):
    services.save_answers(owner, in_progress, {"q3": ["website"]}, version=Q.version)
    diagnostic = services.save_answers(owner, in_progress, {"q2": ["needs"]}, version=Q.version)
    assert diagnostic.answers == {"q3": ["website"], "q2": ["needs"]}


@pytest.mark.parametrize(
    ("payload", "version", "code"),
    [
        ({"q3": ["website"]}, "dma-2019-1", "version_mismatch"),
        ({"q42": []}, Q.version, "unknown_question"),
        ({"q3": ["website"], "q4": {"hologram": 1}}, Q.version, "unknown_item"),
        (
            {"q9": {"language": 7, "vision": 0, "voice": 0, "robots": 0, "decision": 0}},
            Q.version,
            "out_of_range",
        ),
        ({"q7": ["not_digital", "stored"]}, Q.version, "exclusive_answer"),
    ],
)
def test_bad_answers_are_refused_and_change_nothing(owner, in_progress, payload, version, code):
    services.save_answers(owner, in_progress, {"q2": ["needs"]}, version=Q.version)
    with pytest.raises(ServiceError) as error:
        services.save_answers(owner, in_progress, payload, version=version)
    assert error.value.code == code
    in_progress.refresh_from_db()
    assert in_progress.answers == {"q2": ["needs"]}


def test_another_owner_cannot_answer(other_owner, in_progress):
    with pytest.raises(PermissionDenied):
        services.save_answers(other_owner, in_progress, {"q2": []}, version=Q.version)


def test_completing_with_unanswered_questions_names_the_step(owner, in_progress):
    services.save_answers(owner, in_progress, {"q1": {"invested": [], "planned": []}, "q2": []})
    with pytest.raises(ServiceError) as error:
        services.complete(owner, in_progress)
    assert error.value.code == "incomplete"
    assert "étape 2" in error.value.message
    in_progress.refresh_from_db()
    assert in_progress.state == State.IN_PROGRESS


def test_completing_stores_version_scores_and_counts_the_peer_groups(owner, in_progress):
    answer_all(owner, in_progress, all_maximum())
    diagnostic = services.complete(owner, in_progress)
    diagnostic.refresh_from_db()
    assert diagnostic.state == State.COMPLETED
    assert diagnostic.completed_at is not None
    assert diagnostic.overall_score == 100
    assert diagnostic.level == "advanced"
    assert diagnostic.dimension_scores == dict.fromkeys(Q.dimension_ids, "100.00")
    assert set(diagnostic.question_scores) == set(Q.questions)
    assert (diagnostic.peer_section, diagnostic.peer_band, diagnostic.peer_region) == ("C", "1-9", "84")
    assert dict(PeerGroup.objects.values_list("key", "total")) == {
        "s:C|b:1-9|r:84": 1,
        "s:C|b:1-9": 1,
        "s:C": 1,
        "all": 1,
    }
    assert set(PeerBucket.objects.values_list("bucket", "count").distinct()) == {(100, 1)}


def test_completing_twice_is_a_conflict_and_counts_once(owner, done):
    with pytest.raises(Conflict) as error:
        services.complete(owner, done)
    assert error.value.code == "already_completed"
    assert PeerGroup.objects.get(key="all").total == 1


def test_a_completed_diagnostic_refuses_new_answers(owner, done):
    with pytest.raises(Conflict):
        services.save_answers(owner, done, {"q2": ["needs"]}, version=Q.version)
    done.refresh_from_db()
    assert done.answers == all_minimum()


def test_a_second_completion_in_the_same_group_increments_the_same_rows(owner, company):
    completed(owner, company, all_minimum())
    completed(owner, company, all_minimum())
    assert PeerGroup.objects.get(key="all").total == 2
    assert PeerBucket.objects.get(group_key="all", bucket=0).count == 2


def test_the_last_completion_date_of_a_company_is_available_to_scheme_rules(owner, company, done):
    from tremplin.diagnostics.access import last_completed_at

    assert last_completed_at(company) == done.completed_at
    assert last_completed_at(CompanyFactory()) is None
