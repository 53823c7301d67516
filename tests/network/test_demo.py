import random

from tests.factories import CompanyFactory, OrganisationFactory, UserFactory
from tremplin.network.demo import PATHS, seed_network
from tremplin.network.models import Action, Match


def test_the_demo_network_has_matches_in_every_state_and_actions(rhone):
    organisation = OrganisationFactory(departements=[rhone])
    UserFactory(advisor=True, organisation=organisation, email="conseiller1@demo.tremplin-numerique.fr")
    UserFactory(advisor=True, organisation=organisation, email="conseiller2@demo.tremplin-numerique.fr")
    for _ in range(12):
        CompanyFactory(departement=rhone)
    seed_network(random.Random(1))
    assert set(Match.objects.values_list("state", flat=True)) >= set(PATHS)
    assert set(Action.objects.values_list("kind", flat=True)) == {"awareness", "coaching"}
