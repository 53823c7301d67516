"""The reach page: eligible companies under the scheme's registry rules, beneficiaries and companies
reached per 1,000 eligible, per département, checked against counts made by hand."""

import csv
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    DepartementFactory,
    OrganisationFactory,
    RegionFactory,
    SchemeFactory,
    UserFactory,
)
from tremplin.diagnostics.models import Diagnostic
from tremplin.diagnostics.models import State as DiagnosticState
from tremplin.network.models import Action, ActionKind, CoachingSession
from tremplin.registry.models import Company, Departement, Region
from tremplin.schemes.eligibility import RULES, Facts, answered_by_registry, evaluate
from tremplin.schemes.models import EligibilityRule
from tremplin.steering import reach, stock_facts
from tremplin.steering.scope import scope_for
from tremplin.vouchers.models import State

pytestmark = pytest.mark.django_db
URL = reverse("steering:reach")

RULES_OF_THE_SCHEME = [
    ("active_in_registry", {}),
    ("max_headcount_bracket", {"max": "03"}),
    ("max_declared_headcount", {"max": 9}),
    ("min_company_age", {"months": 6}),
    ("excluded_legal_forms", {"prefixes": ["7", "92"]}),
    ("excluded_naf", {"codes": ["01", "64.19Z"]}),
    ("territories", {"regions": ["84"]}),
    ("de_minimis", {"ceiling_cents": 30_000_000}),
]


def months_ago(months):
    return timezone.localdate() - timedelta(days=round(months * 30.5))


@pytest.fixture
def departements(db):
    ara = RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    return {
        "69": DepartementFactory(code="69", name="Rhône", region=ara),
        "01": DepartementFactory(code="01", name="Ain", region=ara),
        "75": DepartementFactory(
            code="75", name="Paris", region=RegionFactory(code="11", name="Île-de-France")
        ),
        "971": DepartementFactory(
            code="971", name="Guadeloupe", region=RegionFactory(code="01", name="Guadeloupe")
        ),
    }


@pytest.fixture
def reach_scheme(db):
    # The most recently opened scheme: the page's default.
    scheme = SchemeFactory(with_rules=False, window_opens_at=timezone.now() - timedelta(days=1))
    for i, (kind, params) in enumerate(RULES_OF_THE_SCHEME):
        EligibilityRule.objects.create(scheme=scheme, kind=kind, params=params, position=i)
    return scheme


def granted(scheme, company, state=State.APPROVED):
    return ApplicationFactory(scheme=scheme, company=company, state=state, standing=False)


def action(company, advisor, kind=ActionKind.AWARENESS):
    return Action.objects.create(kind=kind, advisor=advisor, company=company, on=timezone.localdate())


@pytest.fixture
def world(departements, reach_scheme, manager):
    """Companies counted by hand (E: eligible, B: beneficiary, R: reached)."""
    advisor = UserFactory(advisor=True)
    rhone, ain, paris, guadeloupe = (departements[c] for c in ("69", "01", "75", "971"))
    in_rhone = lambda **kw: CompanyFactory(departement=rhone, **kw)  # noqa: E731
    # Rhône: 6 eligible, 2 beneficiaries, 3 reached.
    granted(reach_scheme, in_rhone())  # E B R (its file)
    action(in_rhone(headcount_bracket=""), advisor)  # E R (a blank bracket reads "no employee")
    Diagnostic.objects.create(
        company=in_rhone(headcount_bracket="NN"), state=DiagnosticState.COMPLETED, completed_at=timezone.now()
    )  # E R
    in_rhone()  # E
    Diagnostic.objects.create(company=in_rhone())  # E (a diagnostic in progress is no contact)
    ApplicationFactory(scheme=reach_scheme, company=in_rhone(), standing=False)  # E (a draft is no file)
    action(in_rhone(headcount_bracket="11"), advisor)  # excluded by headcount, though reached
    in_rhone(naf_code="01.11Z")  # excluded by NAF (a division)
    in_rhone(naf_code="64.19Z")  # excluded by NAF (a sub-class)
    in_rhone(legal_form="9220")  # excluded legal form
    in_rhone(legal_form="7210")  # excluded legal form
    in_rhone(state=Company.State.CEASED)
    in_rhone(created_on=months_ago(3))  # too young
    in_rhone(created_on=None)  # age unknown
    in_rhone(headcount_bracket="ZZ")  # bracket unknown
    granted(reach_scheme, in_rhone(headcount_bracket="12"), State.PAID)  # B: grew since
    # Ain: 4 eligible, 0 beneficiaries of this scheme, 3 reached.
    CoachingSession.objects.create(
        advisor=advisor,
        company=CompanyFactory(departement=ain),
        on=timezone.localdate(),
        hours=2,
        topic="Site",
    )  # E R
    granted(SchemeFactory(), CompanyFactory(departement=ain))  # E R (a file of another scheme)
    action(CompanyFactory(departement=ain), advisor, ActionKind.COACHING)  # E R
    CompanyFactory(departement=ain)  # E
    # Outside the scheme's territories: nobody eligible.
    granted(reach_scheme, CompanyFactory(departement=paris), State.EXPIRED)  # B
    CompanyFactory(departement=guadeloupe)
    CompanyFactory(departement=None)
    stock_facts.refresh()  # the page's counts
    return reach_scheme


def figures_of(scheme, user):
    return {row.code: row for row in reach.reach(scheme, scope_for(user)).rows}


def test_reach_per_departement_matches_the_counts_made_by_hand(world, manager):
    figures = reach.reach(world, scope_for(manager))
    rows = {row.code: row for row in figures.rows}
    assert [r.code for r in figures.rows] == ["01", "69", "75", "971"]
    rhone, ain, paris, guadeloupe = rows["69"], rows["01"], rows["75"], rows["971"]
    assert (rhone.eligible, rhone.beneficiaries, rhone.reached) == (6, 2, 3)
    assert (rhone.beneficiaries_rate, rhone.reached_rate) == (Decimal("333.3"), Decimal("500.0"))
    assert (ain.eligible, ain.beneficiaries, ain.reached) == (4, 0, 3)
    assert (ain.beneficiaries_rate, ain.reached_rate) == (Decimal("0.0"), Decimal("750.0"))
    assert (paris.eligible, paris.beneficiaries, paris.reached) == (0, 1, 0)
    assert paris.beneficiaries_rate is None and guadeloupe.reached_rate is None
    total = figures.total
    assert (total.eligible, total.beneficiaries, total.reached) == (10, 3, 6)
    assert (total.beneficiaries_rate, total.reached_rate) == (Decimal("300.0"), Decimal("600.0"))


def test_the_sql_count_agrees_with_the_rules_on_every_company(world):
    """The registry rules said in SQL give the same answer as schemes.eligibility on each company."""
    rules = list(world.current_rules())
    registry_rules = [rule for rule in rules if answered_by_registry(rule)]
    today = timezone.localdate()
    by_the_rules = {
        company.pk
        for company in Company.objects.select_related("departement")
        if company.departement_id
        and all(r.passed is True for r in evaluate(registry_rules, Facts(company=company, on=today)))
    }
    assert set(reach.eligible_companies(rules, today).values_list("pk", flat=True)) == by_the_rules
    assert len(by_the_rules) == 10


def test_every_registry_rule_has_its_sql_condition():
    assert {kind for kind, rule in RULES.items() if rule.registry_only} == set(reach.CONDITIONS)


def test_a_scheme_without_rules_counts_every_company_with_a_head_office(world, manager):
    scheme = SchemeFactory(with_rules=False)
    stock_facts.refresh()
    rows = figures_of(scheme, manager)
    assert sum(r.eligible for r in rows.values()) == Company.objects.exclude(departement=None).count()


def test_rates_round_half_up_to_one_decimal():
    assert reach.rate(1, 20_000) == Decimal("0.1")  # 0.05 exactly: half up, not to even
    assert reach.rate(2, 3) == Decimal("666.7")
    assert reach.rate(1, 3) == Decimal("333.3")
    assert reach.rate(0, 7) == Decimal("0.0")
    assert reach.rate(3, 0) is None


def test_classes_are_five_equal_intervals_from_zero_to_the_highest_rate(world, manager):
    rows = reach.reach(world, scope_for(manager)).rows
    bounds = reach.class_bounds(rows, "reached")
    assert bounds[0] == (Decimal("0.0"), Decimal("150.0")) and bounds[-1] == (
        Decimal("600.0"),
        Decimal("750.0"),
    )
    assert reach.class_of(Decimal("750.0"), bounds) == 4
    assert reach.class_of(Decimal("500.0"), bounds) == 3
    assert reach.class_of(Decimal("0.0"), bounds) == 0


def test_a_head_sees_and_counts_only_their_territory(client, world, departements):
    head = UserFactory(
        advisor=True,
        heads_organisation=True,
        organisation=OrganisationFactory(departements=[departements["01"]]),
    )
    assert list(figures_of(world, head)) == ["01"]
    client.force_login(head)
    page = client.get(URL).content.decode()
    assert re.findall(r'data-departement="([^"]+)"', page) == ["01"]
    assert "Rhône" not in page and "Paris" not in page
    assert "Ensemble" in page and ">4<" in page


@pytest.mark.parametrize("who", ["manager", "auditor"])
def test_managers_and_auditors_see_the_nation(request, client, world, who):
    client.force_login(request.getfixturevalue(who))
    page = client.get(URL).content.decode()
    assert re.findall(r'data-departement="([^"]+)"', page) == ["01", "69", "75", "971"]
    assert "Rhône (69) : 333,3 pour 1 000 entreprises éligibles (2 sur 6)" in page
    assert "Paris (75) : aucune entreprise éligible" in page
    summary = re.search(r'<p id="reach-summary">(.*?)</p>', page, re.S).group(1)
    assert "Portée la plus forte : Rhône (69), 333,3" in summary
    assert "la plus faible : Ain (01), 0,0" in summary
    assert "ensemble du périmètre (France entière) : 300,0 pour 1 000" in summary
    assert "Chiffres arrêtés le" in page


def test_the_map_shows_the_companies_reached_when_asked(client, world, manager):
    client.force_login(manager)
    page = client.get(URL, {"dispositif": world.slug, "mesure": "reached"}).content.decode()
    assert "Ain (01) : 750,0 pour 1 000 entreprises éligibles (3 sur 4)" in page
    assert "Portée la plus forte : Ain (01), 750,0" in page


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"dispositif": "nope"}, "Ce dispositif n'existe pas"),
        ({"mesure": "<script>"}, "Choisissez dans la liste ce que la carte montre."),
        ({"dispositif": ["a", "b"], "mesure": "\x00"}, "Ce dispositif n'existe pas"),
    ],
)
def test_a_bad_choice_is_refused_and_the_default_shown(client, world, manager, query, error):
    client.force_login(manager)
    response = client.get(URL, query)
    page = response.content.decode()
    assert response.status_code == 200
    assert "fr-select-group--error" in page and error.replace("'", "&#x27;") in page
    assert "Rhône (69) : 333,3 pour 1 000" in page


def test_either_choice_may_be_left_out(client, world, manager):
    client.force_login(manager)
    assert "Ain (01) : 750,0" in client.get(URL, {"mesure": "reached"}).content.decode()
    assert "Rhône (69) : 333,3" in client.get(URL, {"dispositif": world.slug}).content.decode()


def test_the_page_says_so_when_there_is_no_scheme(client, manager, departements):
    client.force_login(manager)
    assert "Aucun dispositif" in client.get(URL).content.decode()


@pytest.mark.parametrize("who", ["owner", "provider_member", "advisor"])
def test_others_may_not_see_the_page(request, client, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get(URL).status_code == 302


def reference_departements():
    path = settings.BASE_DIR / "data" / "reference"
    with open(path / "regions.csv", encoding="utf-8") as f:
        Region.objects.bulk_create([Region(code=r["code"], name=r["name"]) for r in csv.DictReader(f)])
    with open(path / "departements.csv", encoding="utf-8") as f:
        Departement.objects.bulk_create(
            [Departement(code=d["code"], name=d["name"], region_id=d["region"]) for d in csv.DictReader(f)]
        )


def test_the_map_has_one_square_per_departement_overseas_included(client, manager):
    reference_departements()
    SchemeFactory()
    stock_facts.refresh()
    client.force_login(manager)
    page = client.get(URL).content.decode()
    drawn = re.findall(r'data-departement="([^"]+)"', page)
    assert sorted(drawn) == sorted(Departement.objects.values_list("code", flat=True))
    assert len(drawn) == 101 and {"2A", "2B", "971", "972", "973", "974", "976"} <= set(drawn)
    assert "Outre-mer" in page


def test_every_square_of_the_grid_is_its_own(db):
    from tremplin.steering.tilemap import positions

    grid = positions()
    assert len(set(grid.values())) == len(grid) == 101


def test_the_page_makes_few_queries_whatever_the_registry_holds(
    client, world, manager, departements, django_assert_max_num_queries
):
    client.force_login(manager)
    client.get(URL)
    with django_assert_max_num_queries(12) as small:
        client.get(URL)
    for code in ("01", "69", "75"):
        for _ in range(5):
            action(CompanyFactory(departement=departements[code]), UserFactory(advisor=True))
            granted(world, CompanyFactory(departement=departements[code]))
    stock_facts.refresh()
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(URL)


# --- the pre-aggregated counts ----------------------------------------------------------------------


@pytest.mark.parametrize("territory", [None, "01"])
def test_the_stored_counts_equal_the_live_ones(world, manager, departements, territory):
    user = manager
    if territory:
        user = UserFactory(
            advisor=True,
            heads_organisation=True,
            organisation=OrganisationFactory(departements=[departements[territory]]),
        )
    stored, live = reach.reach(world, scope_for(user)), reach.live_reach(world, scope_for(user))
    assert (stored.rows, stored.total, stored.conditions) == (live.rows, live.total, live.conditions)


def test_new_rules_are_not_counted_until_the_next_refresh(client, world, manager):
    EligibilityRule.objects.create(scheme=world, kind="active_in_registry", params={}, version=2)
    world.rules_version = 2
    world.save()
    assert reach.reach(world, scope_for(manager)) is None
    client.force_login(manager)
    page = client.get(URL).content.decode()
    assert "pas encore été calculée sous ses règles actuelles" in page
    assert "data-departement" not in page
    stock_facts.refresh()
    active = Company.objects.filter(state=Company.State.ACTIVE).exclude(departement=None).count()
    assert reach.reach(world, scope_for(manager)).total.eligible == active == 21


def test_the_page_makes_a_pinned_number_of_queries(client, world, manager, django_assert_num_queries):
    client.force_login(manager)
    client.get(URL)
    with django_assert_num_queries(12):
        client.get(URL)
