import random

from tests.factories import ApplicationFactory, CompanyFactory
from tremplin.diagnostics.demo import seed_diagnostics
from tremplin.diagnostics.models import Diagnostic, PeerGroup, State


def test_demo_diagnostics_spread_over_companies_and_give_the_owner_a_history(owner, rhone, ille):
    for index in range(30):
        CompanyFactory(
            departement=rhone if index % 2 else ille,
            naf_code=["62.01Z", "10.71C", "47.11B"][index % 3],
            headcount_bracket=["NN", "01", "11"][index % 3],
        )
    ApplicationFactory(owner=owner, company__departement=rhone)
    created = seed_diagnostics(random.Random(7), count=25, owner=owner)
    assert created == 25
    assert Diagnostic.objects.filter(state=State.COMPLETED).count() == 27
    assert PeerGroup.objects.get(key="all").total == 27
    history = Diagnostic.objects.filter(owner=owner).order_by("completed_at")
    assert len(history) == 2
    assert history[0].overall_score < history[1].overall_score
    scores = set(Diagnostic.objects.values_list("overall_score", flat=True))
    assert len(scores) > 10
