import pytest
from django.urls import reverse

from tests.diagnostics.conftest import client_for, completed
from tests.diagnostics.helpers import all_maximum, all_minimum, answers, ticks
from tests.factories import DepartementFactory, ProviderFactory
from tremplin.diagnostics.models import RecommendationRule
from tremplin.diagnostics.recommendations import providers_for, recommend
from tremplin.providers.models import Offer, Status


def test_the_default_rules_are_valid_and_about_twenty(db):
    rules = list(RecommendationRule.objects.all())
    assert 18 <= len(rules) <= 25
    for rule in rules:
        rule.full_clean()


def test_at_most_five_recommendations_by_expected_benefit_and_strategy_first_when_it_is_weak(owner, company):
    diagnostic = completed(owner, company, all_minimum())
    chosen = recommend(diagnostic)
    assert len(chosen) == 5
    assert "stratégie" in chosen[0].title
    assert "strategy" in chosen[0].spend_categories
    benefits = [rule.benefit for rule in chosen[1:]]
    assert benefits == sorted(benefits, reverse=True)


def test_strategy_comes_first_even_when_a_tool_rule_promises_more(owner, company):
    RecommendationRule.objects.create(
        title="Outil miracle",
        text="…",
        condition="item_missing",
        question="q3",
        item="website",
        benefit=100,
        spend_categories=["website"],
    )
    diagnostic = completed(owner, company, answers(q2=ticks("q2", 10)))  # strategy 50: still weak
    chosen = recommend(diagnostic)
    assert "strategy" in chosen[0].spend_categories
    assert chosen[1].title == "Outil miracle"


def test_a_strong_strategy_lets_tools_come_first(owner, company):
    data = all_maximum()
    data["q3"] = [item for item in data["q3"] if item != "website"]
    diagnostic = completed(owner, company, data)
    chosen = recommend(diagnostic)
    assert chosen
    assert all("strategy" not in rule.spend_categories for rule in chosen)
    assert chosen[0].title == "Être trouvé sur internet"


def test_inactive_rules_are_not_shown(owner, company):
    RecommendationRule.objects.filter(item="backups").update(active=False)
    diagnostic = completed(owner, company, all_minimum())
    assert all(rule.item != "backups" for rule in recommend(diagnostic))


def test_a_rating_rule_matches_low_ratings_only(owner, company):
    rule = RecommendationRule.objects.get(condition="rating_at_most")
    low = completed(owner, company, all_minimum())
    high = completed(owner, company, all_maximum())
    assert rule in recommend(low, [rule])
    assert rule not in recommend(high, [rule])


def offering(provider, category, departement):
    offer = Offer.objects.create(
        provider=provider,
        category=category,
        title="Offre",
        price_min_cents=50_000,
        price_max_cents=300_000,
        delivery_days=30,
        reversibility="Export de vos données et passation en fin de contrat.",
    )
    offer.departements.set([departement])
    return provider


def test_the_results_page_links_each_recommendation_to_spend_categories_and_providers(owner, company):
    offering(ProviderFactory(name="Atelier Pixel", status=Status.ACCREDITED), "strategy", company.departement)
    offering(
        ProviderFactory(name="Agence non habilitée", status=Status.REQUESTED), "strategy", company.departement
    )
    diagnostic = completed(owner, company, all_minimum())
    html = client_for(owner).get(reverse("diagnostics:results", args=[diagnostic.pk])).content.decode()
    assert "Conseil en stratégie numérique" in html
    assert "Atelier Pixel" in html
    assert "Agence non habilitée" not in html


@pytest.mark.parametrize(("field", "value"), [("question", "q99"), ("item", "nothing")])
def test_an_admin_rule_must_point_to_a_real_question(db, field, value):
    rule = RecommendationRule(title="x", text="y", condition="item_missing", question="q8", item="backups")
    setattr(rule, field, value)
    with pytest.raises(Exception) as error:
        rule.full_clean()
    assert field in error.value.message_dict


def test_providers_are_accredited_ones_offering_the_category_in_the_departement(db):
    rhone = DepartementFactory()
    other = DepartementFactory(code="35", name="Ille-et-Vilaine", region__code="53", region__name="Bretagne")
    offering(ProviderFactory(status=Status.REQUESTED), "website", rhone)
    offering(ProviderFactory(status=Status.ACCREDITED), "cybersecurity", rhone)
    offering(ProviderFactory(status=Status.ACCREDITED), "website", other)
    serving = offering(ProviderFactory(status=Status.ACCREDITED), "website", rhone)
    assert providers_for("website", "69") == [serving]
