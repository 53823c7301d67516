from datetime import date, timedelta

import pytest

from tests.factories import CompanyFactory, OrganisationFactory, luhn_complete
from tests.network.conftest import make_advisor
from tremplin.core.errors import Conflict, PermissionDenied, ServiceError
from tremplin.network import services
from tremplin.network.models import Match, MatchState, OrganisationFilter, RequestStatus
from tremplin.network.routing import CompanyFacts, passes, pick
from tremplin.registry.models import Commune

TODAY = date(2026, 3, 10)


def ask(company, theme, **kwargs):
    kwargs.setdefault("siret", luhn_complete(company.siren + "0001"))
    kwargs.setdefault("email", "dirigeante@example.fr")
    kwargs.setdefault("description", "Je veux vendre en ligne.")
    return services.create_request(theme_code=theme.code, on=TODAY, **kwargs).request


def test_a_request_goes_to_an_advisor_covering_its_departement_and_theme(
    advisor, other_advisor, company, website
):
    request = ask(company, website)
    assert [m.advisor for m in request.matches.all()] == [advisor]
    assert request.status == RequestStatus.PENDING


def test_an_advisor_without_the_theme_is_not_chosen_unless_the_antenna_covers_it(
    cci, rhone, company, website, cyber
):
    specialist = make_advisor(cci, departements=[rhone], themes=[cyber])
    assert ask(company, website).matches.count() == 0
    specialist.advisor_profile.antenna.themes.add(website)
    assert [m.advisor for m in ask(company, website).matches.all()] == [specialist]


def test_a_commune_antenna_covers_only_its_communes(cci, rhone, company, website):
    Commune.objects.create(code="69381", name="Lyon 1er", departement=rhone, postal_codes=["69001"])
    Commune.objects.create(code="69123", name="Lyon", departement=rhone, postal_codes=["69000"])
    local = make_advisor(cci, departements=[rhone], themes=[website])
    local.advisor_profile.antenna.communes.set(["69123"])
    assert ask(company, website).matches.count() == 0
    local.advisor_profile.antenna.communes.set(["69381"])
    assert [m.advisor for m in ask(company, website).matches.all()] == [local]


def test_routing_takes_at_most_one_advisor_per_organisation_and_three_in_all(rhone, company, website):
    organisations = [OrganisationFactory(departements=[rhone]) for _ in range(4)]
    for organisation in organisations:
        make_advisor(organisation, departements=[rhone], themes=[website])
        make_advisor(organisation, departements=[rhone], themes=[website])
    request = ask(company, website)
    chosen = list(request.matches.values_list("advisor__organisation", flat=True))
    assert len(chosen) == 3
    assert len(set(chosen)) == 3


def test_organisation_filters_exclude_companies_they_do_not_take(cci, advisor, company, website):
    OrganisationFilter.objects.create(organisation=cci, kind="naf_prefixes_in", params={"prefixes": ["62"]})
    request = ask(company, website)
    assert request.matches.count() == 0
    assert request.status == RequestStatus.NATIONAL_QUEUE


@pytest.mark.parametrize(
    "kind, params, facts, expected",
    [
        ("naf_prefixes_in", {"prefixes": ["62"]}, CompanyFacts(naf_code="62.01Z"), True),
        ("naf_prefixes_out", {"prefixes": ["62"]}, CompanyFacts(naf_code="62.01Z"), False),
        ("max_headcount_bracket", {"max": "03"}, CompanyFacts(headcount_bracket="11"), False),
        ("max_headcount_bracket", {"max": "03"}, CompanyFacts(headcount_bracket="02"), True),
        ("min_company_age_months", {"months": 6}, CompanyFacts(age_months=5), False),
        ("legal_forms_in", {"prefixes": ["57"]}, CompanyFacts(legal_form="5710"), True),
        ("legal_forms_out", {"prefixes": ["92"]}, CompanyFacts(legal_form="9220"), False),
        ("min_company_age_months", {"months": 6}, CompanyFacts(), True),
    ],
)
def test_each_filter_kind_decides_on_company_facts(kind, params, facts, expected):
    assert passes(kind, params, facts) is expected


def test_the_lowest_caseload_wins_and_ties_go_to_the_lowest_id():
    assert pick([(5, 1), (3, 2), (4, 3)], {3: 2, 4: 2, 5: 0}, limit=2) == [5, 3]


def test_an_unknown_siret_is_accepted_with_a_warning_and_routed_by_postal_code(advisor, website):
    created = services.create_request(
        siret="73282932000074",
        email="a@example.fr",
        theme_code=website.code,
        description="Un site",
        postal_code="69003",
        on=TODAY,
    )
    assert created.warnings == [services.UNKNOWN_SIRET_WARNING]
    assert created.request.in_registry is False
    assert [m.advisor for m in created.request.matches.all()] == [advisor]


def test_an_unknown_siret_without_postal_code_is_refused_and_nothing_is_saved(advisor, website):
    with pytest.raises(ServiceError) as error:
        services.create_request(
            siret="73282932000074", email="a@example.fr", theme_code=website.code, description="x"
        )
    assert error.value.field == "postal_code"
    assert not Match.objects.exists()


def test_the_advisor_takes_care_then_closes_the_match(advisor, company, website):
    match = ask(company, website).matches.get()
    services.change_match_state(advisor, match, MatchState.TAKING_CARE)
    services.change_match_state(advisor, match, MatchState.DONE)
    match.refresh_from_db()
    assert match.state == MatchState.DONE
    assert match.request.status == RequestStatus.DONE


def test_a_match_moved_to_a_state_it_cannot_reach_is_refused_and_unchanged(advisor, company, website):
    match = ask(company, website).matches.get()
    with pytest.raises(Conflict) as error:
        services.change_match_state(advisor, match, MatchState.DONE)
    assert "Impossible de passer" in error.value.message
    match.refresh_from_db()
    assert match.state == MatchState.PENDING


def test_an_advisor_cannot_move_someone_elses_match(advisor, other_advisor, company, website):
    match = ask(company, website).matches.get()
    with pytest.raises(PermissionDenied):
        services.change_match_state(other_advisor, match, MatchState.TAKING_CARE)
    match.refresh_from_db()
    assert match.state == MatchState.PENDING


def test_not_for_me_reroutes_to_the_next_advisor_and_then_to_the_national_queue(cci, rhone, company, website):
    first = make_advisor(cci, departements=[rhone], themes=[website])
    second = make_advisor(cci, departements=[rhone], themes=[website])
    request = ask(company, website)
    services.change_match_state(first, request.matches.get(advisor=first), MatchState.NOT_FOR_ME)
    assert request.matches.get(advisor=second).state == MatchState.PENDING
    services.change_match_state(second, request.matches.get(advisor=second), MatchState.NOT_FOR_ME)
    assert request.matches.count() == 2
    assert request.status == RequestStatus.NATIONAL_QUEUE


def test_a_manager_can_reassign_an_open_match_and_an_advisor_cannot(
    advisor, other_advisor, manager, company, website
):
    match = ask(company, website).matches.get()
    with pytest.raises(PermissionDenied):
        services.reassign_match(advisor, match, other_advisor)
    services.reassign_match(manager, match, other_advisor)
    match.refresh_from_db()
    assert match.advisor == other_advisor


def test_a_manager_assigns_a_request_from_the_national_queue(other_advisor, manager, company, website):
    request = ask(company, website)
    assert request.status == RequestStatus.NATIONAL_QUEUE
    services.assign_request(manager, request, other_advisor)
    assert request.status == RequestStatus.PENDING


def test_company_age_filter_uses_the_routing_day(cci, advisor, website, rhone):
    OrganisationFilter.objects.create(organisation=cci, kind="min_company_age_months", params={"months": 6})
    young = CompanyFactory(departement=rhone, created_on=TODAY - timedelta(days=60))
    assert ask(young, website).matches.count() == 0


def test_routing_runs_a_fixed_number_of_queries_whatever_the_number_of_advisors(
    cci, cma, rhone, company, website, django_assert_num_queries
):
    for organisation in (cci, cma):
        for _ in range(3):
            make_advisor(organisation, departements=[rhone], themes=[website])
    ask(company, website)  # fills the content-type cache
    # Theme, registry lookups, the request and its audit event, candidates with their caseloads,
    # organisation filters, then one insert for the matches and one for their audit events (9), plus
    # the savepoint and its release inside the test's transaction.
    with django_assert_num_queries(11):
        request = ask(company, website)
    assert request.matches.count() == 2


def test_the_advisors_email_is_rendered_and_sent_after_the_commit(
    advisor, company, website, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask(company, website)
        assert mailoutbox == []
    # The company's confirmation, then the advisor's email (rendered in the queued task).
    assert [m.to for m in mailoutbox] == [["dirigeante@example.fr"], [advisor.email]]
    assert "site internet" in mailoutbox[1].body.lower()
