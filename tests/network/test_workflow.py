"""The match workflow's declaration is what the services audit and what the pages offer."""

from django.urls import reverse

from tremplin.core.models import AuditEvent
from tremplin.network import services
from tremplin.network.models import OPEN_MATCH_STATES, MatchState
from tremplin.network.workflow import ADVISOR, ADVISOR_MOVES, REASSIGN, WORKFLOW


def test_each_end_state_an_advisor_chooses_is_reached_by_one_transition():
    advisor_transitions = [t for t in WORKFLOW if ADVISOR in t.who]
    assert len(ADVISOR_MOVES) == len(advisor_transitions)
    assert MatchState.PENDING not in ADVISOR_MOVES  # only a manager's reassignment goes back


def test_open_states_are_read_from_the_declaration():
    assert set(OPEN_MATCH_STATES) == WORKFLOW.tagged("open") == WORKFLOW[REASSIGN].sources
    assert set(OPEN_MATCH_STATES) == {MatchState.PENDING, MatchState.TAKING_CARE}


def test_each_move_is_audited_under_its_transition_name(advisor, match):
    services.change_match_state(advisor, match, MatchState.TAKING_CARE)
    services.change_match_state(advisor, match, MatchState.DONE)
    events = AuditEvent.objects.for_object(match).order_by("pk")
    assert list(events.values_list("action", "from_state", "to_state", "actor")) == [
        ("route", "", "pending", None),
        ("take_care", "pending", "taking_care", advisor.pk),
        ("close_with_help", "taking_care", "done", advisor.pk),
    ]
    assert [str(WORKFLOW.event_label(e.action)) for e in events] == [
        "Demande envoyée au conseiller",
        "Prise en charge",
        "Accompagnement réalisé",
    ]


def test_a_reassignment_records_both_advisors_and_tells_the_new_one(
    match, manager, other_advisor, advisor, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.reassign_match(manager, match, other_advisor)
    event = AuditEvent.objects.for_object(match).get(action=REASSIGN)
    assert (event.from_state, event.to_state) == ("pending", "pending")
    assert event.data == {"previous_advisor": advisor.pk, "advisor": other_advisor.pk}
    assert [m.to for m in mailoutbox] == [[other_advisor.email]]


def test_the_request_page_offers_the_declared_moves_of_the_current_state(client, advisor, match):
    client.force_login(advisor)
    url = reverse("network:request", args=[match.request_id])
    page = client.get(url).content.decode()
    offered = [t for t in WORKFLOW if ADVISOR in t.who and MatchState.PENDING in t.sources]
    for t in offered:
        assert f'value="{t.target}">{t.button}</button>' in page
    assert f'value="{MatchState.DONE}"' not in page

    services.change_match_state(advisor, match, MatchState.TAKING_CARE)
    page = client.get(url).content.decode()
    assert f'value="{MatchState.DONE}">Accompagnement réalisé</button>' in page
    assert f'value="{MatchState.NOT_FOR_ME}"' not in page


def test_audit_events_written_before_the_declaration_keep_a_label():
    assert str(WORKFLOW.event_label("change_state")) == "État modifié"
