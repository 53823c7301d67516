"""Properties of routing over generated networks (each example rolled back)."""

from contextlib import contextmanager
from datetime import date

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import CompanyFactory, DepartementFactory, OrganisationFactory, luhn_complete
from tests.network.conftest import make_advisor
from tremplin.network import services
from tremplin.network.models import Match, MatchState, Theme

TODAY = date(2026, 3, 10)
DEPARTEMENTS = ["01", "38", "42", "69"]
THEMES = ["site-internet", "cybersecurite", "vente-en-ligne"]
PROPERTY_SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@contextmanager
def rolled_back():
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def build(network):
    """network: list of (organisation index, département, specialties) per advisor."""
    departements = {code: DepartementFactory(code=code, name=f"Département {code}") for code in DEPARTEMENTS}
    themes = {code: Theme.objects.create(code=code, label=code) for code in THEMES}
    organisations = {}
    advisors = {}
    for org_index, dep, specialties in network:
        if org_index not in organisations:
            organisations[org_index] = OrganisationFactory(departements=list(departements.values()))
        advisor = make_advisor(
            organisations[org_index],
            departements=[departements[dep]],
            themes=[themes[t] for t in specialties],
        )
        advisors[advisor.pk] = (dep, set(specialties))
    return departements, themes, advisors


def ask(company, theme):
    return services.create_request(
        siret=luhn_complete(company.siren + "0001"),
        email="a@example.fr",
        theme_code=theme.code,
        description="Besoin",
        on=TODAY,
    ).request


advisor_rows = st.lists(
    st.tuples(
        st.integers(0, 4),
        st.sampled_from(DEPARTEMENTS),
        st.lists(st.sampled_from(THEMES), min_size=1, max_size=3, unique=True),
    ),
    min_size=1,
    max_size=12,
)
asks = st.lists(st.tuples(st.sampled_from(DEPARTEMENTS), st.sampled_from(THEMES)), min_size=1, max_size=6)


@PROPERTY_SETTINGS
@given(network=advisor_rows, requests=asks)
def test_every_routed_advisor_covers_the_territory_and_the_theme(db, network, requests):
    with rolled_back():
        departements, themes, advisors = build(network)
        for dep, theme in requests:
            request = ask(CompanyFactory(departement=departements[dep]), themes[theme])
            chosen = list(request.matches.values_list("advisor_id", "advisor__organisation_id"))
            eligible = {pk for pk, (d, specialties) in advisors.items() if d == dep and theme in specialties}
            assert 1 <= len(chosen) <= 3 if eligible else chosen == []
            for advisor_id, _org in chosen:
                assert advisor_id in eligible
            assert len({org for _, org in chosen}) == len(chosen)


@PROPERTY_SETTINGS
@given(advisor_count=st.integers(1, 6), request_count=st.integers(1, 20))
def test_with_equal_advisors_caseloads_differ_by_at_most_one(db, advisor_count, request_count):
    with rolled_back():
        departements, themes, _ = build([(0, "69", ["site-internet"])] * advisor_count)
        company = CompanyFactory(departement=departements["69"])
        for _ in range(request_count):
            ask(company, themes["site-internet"])
        loads = [
            Match.objects.filter(advisor=a, state=MatchState.PENDING).count()
            for a in Match.objects.values_list("advisor", flat=True).distinct()
        ]
        loads += [0] * (advisor_count - len(loads))
        assert max(loads) - min(loads) <= 1


@PROPERTY_SETTINGS
@given(network=advisor_rows, refusals=st.integers(1, 12))
def test_not_for_me_never_routes_back_to_the_same_advisor(db, network, refusals):
    with rolled_back():
        departements, themes, _ = build(network)
        request = ask(CompanyFactory(departement=departements[network[0][1]]), themes[network[0][2][0]])
        for _ in range(refusals):
            match = request.matches.filter(state=MatchState.PENDING).order_by("pk").first()
            if match is None:
                break
            services.change_match_state(match.advisor, match, MatchState.NOT_FOR_ME, on=TODAY)
            advisors = list(request.matches.values_list("advisor_id", flat=True))
            assert len(advisors) == len(set(advisors))
