"""Demo network: themes, antennas and advisor profiles for the demo organisations, requests in every
match state, awareness and coaching actions. Called by the demo seed after it created the organisations."""

from datetime import timedelta

from django.utils import timezone

from tremplin.accounts.models import Role, User
from tremplin.network import services
from tremplin.network.models import AdvisorProfile, Antenna, MatchState, Organisation, Theme
from tremplin.registry.identifiers import with_check_digit as _luhn
from tremplin.registry.models import Company

THEMES = [
    ("site-internet", "Site internet"),
    ("vente-en-ligne", "Vente en ligne"),
    ("cybersecurite", "Cybersécurité"),
    ("strategie-numerique", "Stratégie numérique"),
    ("financement", "Financement"),
    ("formation", "Formation"),
]
# Path of a match through its states, to show each of them in the demo.
PATHS = {
    MatchState.PENDING: [],
    MatchState.TAKING_CARE: [MatchState.TAKING_CARE],
    MatchState.DONE: [MatchState.TAKING_CARE, MatchState.DONE],
    MatchState.NO_HELP: [MatchState.TAKING_CARE, MatchState.NO_HELP],
    MatchState.NOT_REACHABLE: [MatchState.NOT_REACHABLE],
    MatchState.NOT_FOR_ME: [MatchState.NOT_FOR_ME],
}


def seed_network(rng):
    themes = [Theme.objects.get_or_create(code=code, defaults={"label": label})[0] for code, label in THEMES]
    advisors = []
    for organisation in Organisation.objects.prefetch_related("departements"):
        antenna, _ = Antenna.objects.get_or_create(organisation=organisation, name="Siège")
        antenna.departements.set(organisation.departements.all())
        antenna.themes.set(themes)
        for user in User.objects.filter(organisation=organisation, role=Role.ADVISOR).order_by("pk"):
            profile, _ = AdvisorProfile.objects.get_or_create(user=user, defaults={"antenna": antenna})
            profile.specialties.set(rng.sample(themes, 3))
            advisors.append(user)
    companies = list(
        Company.objects.filter(state=Company.State.ACTIVE, departement__organisations__isnull=False)
        .distinct()
        .order_by("pk")[: 6 * len(PATHS)]
    )
    today = timezone.localdate()
    for i, company in enumerate(companies):
        target = list(PATHS)[i % len(PATHS)]
        created = services.create_request(
            # Half the demo businesses give their SIREN and a phone, half a SIRET and no phone.
            siret=company.siren if i % 2 else _luhn(company.siren + "0001"),
            email=f"dirigeant{i}@demo.tremplin-numerique.fr",
            phone=f"06 12 34 56 {i:02d}" if i % 2 else "",
            theme_code=themes[i % len(themes)].code,
            description="Nous voulons être trouvés sur internet et prendre des commandes en ligne.",
        )
        match = created.request.matches.order_by("pk").first()
        if match is None:
            continue
        for state in PATHS[target]:
            match = services.change_match_state(match.advisor, match, state)
        if target == MatchState.DONE:
            services.record_coaching_session(
                match.advisor,
                company=company,
                on=today - timedelta(days=rng.randint(0, 60)),
                hours=rng.choice(["1", "1,5", "2", "3"]),
                topic="Choix d'une solution de vente en ligne",
            )
    for advisor in advisors:
        attendees = rng.sample(companies, min(5, len(companies)))
        services.record_awareness_session(
            advisor,
            on=today - timedelta(days=rng.randint(0, 90)),
            theme=rng.choice(themes),
            title="Atelier : se lancer dans la vente en ligne",
            identifiers=[c.siren for c in attendees],
        )
