"""Realistic demo data: a scheme, envelopes in two régions, an advisor network,
providers, people for every role and voucher files in every state.

Files are moved through the real service functions, so budget, ledger and
audit trail are exactly what production would hold.
"""

import random
from datetime import timedelta
from functools import cache

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from stdnum import iban as std_iban

from tremplin.accounts.models import Role, User
from tremplin.demo.documents import demo_pdf
from tremplin.network.models import Organisation
from tremplin.providers.models import Provider, Status
from tremplin.registry.identifiers import with_check_digit as luhn
from tremplin.registry.models import Company, Departement
from tremplin.schemes.models import EligibilityRule, Envelope, Scheme, SpendCategory
from tremplin.vouchers import services
from tremplin.vouchers.models import Application, State

DEMO_SCHEME_SLUG = "cheque-numerique-2026"
DEMO_PASSWORD = "demo-tremplin-2026"
DEMO_DOMAIN = "demo.tremplin-numerique.fr"

ARA, BRETAGNE = "84", "53"

ORGANISATIONS = [
    ("CCI Lyon Métropole Saint-Étienne Roanne", Organisation.Kind.CCI, ["69", "42"]),
    (
        "CMA Auvergne-Rhône-Alpes",
        Organisation.Kind.CMA,
        ["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"],
    ),
    ("Incubateur Grenoble Alpes Numérique", Organisation.Kind.INCUBATOR, ["38"]),
    ("CCI Ille-et-Vilaine", Organisation.Kind.CCI, ["35"]),
    ("CMA Bretagne", Organisation.Kind.CMA, ["22", "29", "35", "56"]),
]

PROVIDERS = [
    "Atelier Pixel Lyonnais",
    "Rhône Web Services",
    "Alpes Numérique Conseil",
    "Savoie Digital",
    "Auvergne Boutique en Ligne",
    "Cyber Sûr Grenoble",
    "Breizh Web Conseil",
    "Rennes Commerce Connecté",
    "Armor Sauvegarde Informatique",
    "Quimper Formation Numérique",
    "Morbihan Réseaux Sociaux",
    "Logiciels de Gestion de l'Ouest",
]

# (state to reach, how many) for each région; Bretagne's envelope is small so a waiting list shows.
SCENARIO = {
    ARA: [
        (State.DRAFT, 3),
        (State.SUBMITTED, 3),
        (State.UNDER_REVIEW, 2),
        (State.INFO_REQUESTED, 1),
        (State.APPROVED, 3),
        (State.REJECTED, 1),
        (State.CLAIM_SUBMITTED, 1),
        (State.CLAIM_UNDER_REVIEW, 1),
        (State.CLAIM_INFO_REQUESTED, 1),
        (State.PAID, 2),
        (State.CLAIM_APPROVED, 2),
        (State.EXPIRED, 1),
        (State.WITHDRAWN, 1),
        (State.CLAWED_BACK, 1),
    ],
    BRETAGNE: [
        (State.UNDER_REVIEW, 1),
        (State.APPROVED, 2),
        (State.SUBMITTED, 3),
        (State.WAITLISTED, 4),
    ],
}


def french_iban(bank, branch, account):
    """A valid French IBAN: RIB key, then the IBAN check digits."""
    key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
    bban = f"{bank}{branch}{account}{key:02d}"
    return f"FR{std_iban.calc_check_digits('FR00' + bban)}{bban}"


@cache
def _demo_password_hash():
    # Hashing is slow on purpose; every demo account shares one password, so hash it once.
    return make_password(DEMO_PASSWORD)


def person(email, role, first, last, **extra):
    user, _ = User.objects.get_or_create(
        email=f"{email}@{DEMO_DOMAIN}",
        defaults=dict(
            role=role,
            first_name=first,
            last_name=last,
            email_verified=True,
            password=_demo_password_hash(),
            **extra,
        ),
    )
    return user


def eligible_companies(region_code):
    cutoff = timezone.localdate() - timedelta(days=400)
    return (
        Company.objects.filter(
            departement__region_id=region_code,
            state=Company.State.ACTIVE,
            headcount_bracket__in=["NN", "00", "01", "02", "03", ""],
            created_on__lte=cutoff,
            applications__isnull=True,
        )
        # Sole traders who asked SIRENE to hide their name make a poor showcase.
        .exclude(diffusion="P")
        .exclude(legal_form__startswith="4")
        .exclude(legal_form__startswith="7")
        .exclude(legal_form__startswith="92")
        .select_related("departement")
        .order_by("siren")
    )


def make_scheme():
    now = timezone.now()
    scheme = Scheme.objects.create(
        name="Chèque numérique 2026",
        slug=DEMO_SCHEME_SLUG,
        description=(
            "Une aide de 50 % de vos dépenses numériques hors taxes, jusqu'à 2 500 €, pour les entreprises "
            "de moins de 11 salariés."
        ),
        spend_categories=list(SpendCategory.values),
        window_opens_at=now - timedelta(days=120),
        window_closes_at=now + timedelta(days=240),
        payee=Scheme.Payee.BUSINESS,
        allocation=Scheme.Allocation.FCFS,
    )
    rules = [
        ("active_in_registry", {}),
        ("max_headcount_bracket", {"max": "11"}),
        ("max_declared_headcount", {"max": 10}),
        ("max_turnover", {"max_cents": 200_000_000}),
        ("min_company_age", {"months": 6}),
        (
            "excluded_legal_forms",
            {"prefixes": ["4", "7", "92"], "label": "personnes publiques et associations"},
        ),
        ("territories", {"regions": [ARA, BRETAGNE]}),
        ("de_minimis", {"ceiling_cents": 30_000_000}),
        ("one_open_voucher", {}),
    ]
    EligibilityRule.objects.bulk_create(
        EligibilityRule(scheme=scheme, kind=kind, params=params, position=i)
        for i, (kind, params) in enumerate(rules)
    )
    year = timezone.localdate().year
    Envelope.objects.create(scheme=scheme, region_id=ARA, year=year, total_cents=20_000_000)
    Envelope.objects.create(scheme=scheme, region_id=BRETAGNE, year=year, total_cents=1_200_000)
    return scheme


def require_diagnostic(scheme):
    """Version 2 of the demo rules: new applications need a diagnostic of less than 12 months.

    Files already submitted keep the version they were checked with.
    """
    current = list(scheme.current_rules())
    version = scheme.rules_version + 1
    EligibilityRule.objects.bulk_create(
        [
            EligibilityRule(scheme=scheme, version=version, kind=r.kind, params=r.params, position=r.position)
            for r in current
        ]
        + [
            EligibilityRule(
                scheme=scheme,
                version=version,
                kind="diagnostic_completed",
                params={"months": 12},
                position=len(current),
            )
        ]
    )
    scheme.rules_version = version
    scheme.save(update_fields=["rules_version"])


def make_network():
    advisors = {}
    for i, (name, kind, deps) in enumerate(ORGANISATIONS):
        org, _ = Organisation.objects.get_or_create(name=name, defaults={"kind": kind})
        org.departements.set(Departement.objects.filter(code__in=deps))
        advisors[name] = person(f"conseiller{i + 1}", Role.ADVISOR, "Conseiller", name, organisation=org)
    return advisors


def make_providers(rng):
    providers = []
    for i, name in enumerate(PROVIDERS):
        siret = luhn(f"{81234560 + i * 7:08d}00001"[:13])
        provider, _ = Provider.objects.get_or_create(
            siret=siret,
            defaults=dict(
                name=name,
                status=Status.ACCREDITED,
                iban=french_iban("30004", f"{1000 + i:05d}", f"{rng.randrange(10**10):011d}"),
                bic="BNPAFRPPXXX",
            ),
        )
        providers.append(provider)
    Provider.objects.get_or_create(
        siret=luhn("8123456999999"), defaults=dict(name="Agence Sans Habilitation", status=Status.REQUESTED)
    )
    return providers


def new_draft(scheme, company, owner, provider, rng):
    spend = rng.choice([120_000, 180_000, 240_000, 300_000, 400_000, 520_000, 650_000])
    category = rng.choice(SpendCategory.values)
    app = services.create_draft(owner, scheme, company)
    return services.update_draft(
        owner,
        app,
        declared_headcount=rng.randint(0, 9),
        declared_turnover_cents=rng.randrange(5_000_000, 150_000_000, 100_000),
        declared_de_minimis_cents=rng.choice([0, 0, 0, 800_000, 2_500_000]),
        iban=french_iban("30002", f"{rng.randrange(100000):05d}", f"{rng.randrange(10**10):011d}"),
        account_holder=company.display_name[:70],
        provider=provider,
        spend_category=category,
        project_description=f"{SpendCategory(category).label} pour {company.display_name}.",
        planned_spend_cents=spend,
        quote=demo_pdf("devis.pdf", "Devis"),
    )


def advance(app, target, advisor, rng, paid_batch):
    """Move a submitted file along the lifecycle to `target` through the services."""
    owner = app.owner
    app.refresh_from_db()
    if target in (State.SUBMITTED, State.WAITLISTED):
        return
    if target == State.WITHDRAWN:
        services.withdraw(owner, app, "Projet reporté à l'an prochain.")
        return
    services.start_review(advisor, app)
    if target == State.UNDER_REVIEW:
        return
    if target == State.INFO_REQUESTED:
        services.request_info(
            advisor, app, "Pouvez-vous préciser les pages prévues sur le site et joindre le devis signé ?"
        )
        return
    if target == State.REJECTED:
        services.reject(
            advisor, app, "spend_not_eligible", "La prestation décrite est un site vitrine sans évolution."
        )
        return
    services.request_info(advisor, app, "Merci de confirmer le nombre de salariés au 31 décembre.")
    services.answer_info(owner, app, "Nous étions 4 salariés au 31 décembre.")
    services.approve(advisor, app, "Projet cohérent avec le diagnostic.")
    if target == State.APPROVED:
        return
    if target == State.EXPIRED:
        Application.objects.filter(pk=app.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
        services.expire(app)
        return
    app.refresh_from_db()
    invoiced = app.planned_spend_cents - rng.choice([0, 0, 10_000])
    services.submit_claim(
        owner,
        app,
        demo_pdf("facture.pdf", "Facture"),
        demo_pdf("justificatif.pdf", "Justificatif de paiement"),
        invoiced,
    )
    if target == State.CLAIM_SUBMITTED:
        return
    services.start_claim_review(advisor, app)
    if target == State.CLAIM_UNDER_REVIEW:
        return
    if target == State.CLAIM_INFO_REQUESTED:
        services.request_claim_info(
            advisor, app, "Le justificatif de paiement est illisible : merci d'en déposer un autre."
        )
        return
    services.approve_claim(advisor, app)
    if target in (State.PAID, State.CLAWED_BACK):
        paid_batch.append(app)


def seed(seed_value=2026):
    rng = random.Random(seed_value)
    with transaction.atomic():
        scheme = make_scheme()
        advisors = make_network()
        providers = make_providers(rng)
        # The directory: about a hundred more accredited providers with offers in every category.
        from tremplin.providers.demo import seed_providers, seed_reviews

        seed_providers(rng)
        manager = person(
            "gestionnaire", Role.MANAGER, "Claire", "Gestionnaire", is_staff=True, is_superuser=True
        )
        person("auditeur", Role.AUDITOR, "Paul", "Auditeur")
        person("prestataire", Role.PROVIDER, "Nadia", "Prestataire", provider=providers[0])
        demo_owner = person("dirigeante", Role.OWNER, "Camille", "Martin")
        # The demo owner holds one file in each of these states, so logging in shows a real history.
        demo_owner_states = {State.DRAFT, State.APPROVED, State.PAID}
        reviewers = {ARA: advisors["CMA Auvergne-Rhône-Alpes"], BRETAGNE: advisors["CMA Bretagne"]}
        counts = {}
        to_pay, claw_back, awaiting_payment = [], [], []
        for region_code, plan in SCENARIO.items():
            companies = iter(eligible_companies(region_code))
            region_providers = providers[:6] if region_code == ARA else providers[6:]
            for target, how_many in plan:
                for _ in range(how_many):
                    company = next(companies)
                    counts[target] = counts.get(target, 0) + 1
                    if region_code == ARA and target in demo_owner_states:
                        demo_owner_states.discard(target)
                        owner = demo_owner
                    else:
                        n = sum(counts.values())
                        owner = person(f"dirigeant{n}", Role.OWNER, "Dominique", f"Dirigeant {n}")
                    app = new_draft(scheme, company, owner, rng.choice(region_providers), rng)
                    if target == State.DRAFT:
                        continue
                    services.submit(owner, app)
                    Application.objects.filter(pk=app.pk).update(
                        submitted_at=timezone.now() - timedelta(days=rng.randint(1, 30))
                    )
                    if target == State.CLAIM_APPROVED:
                        # Approved after the payment batch below, so they wait for the next one.
                        awaiting_payment.append(app)
                        continue
                    advance(app, target, reviewers[region_code], rng, to_pay)
                    if target == State.CLAWED_BACK:
                        claw_back.append(app)
        _pay(manager, to_pay)
        seed_reviews(rng, list(Application.objects.filter(pk__in=[a.pk for a in to_pay], state=State.PAID)))
        for app in claw_back:
            services.claw_back(
                manager, app, "Contrôle sur place : la boutique en ligne n'a jamais été mise en service."
            )
        for app in awaiting_payment:
            advance(app, State.CLAIM_APPROVED, reviewers[ARA], rng, [])
        # Requests routed to advisors, awareness and coaching sessions.
        from tremplin.network.demo import seed_network

        seed_network(rng)
        # Diagnostics over sectors, sizes and régions (peer benchmarks), with a T0/T1 history
        # for the demo owner's company.
        from tremplin.diagnostics.demo import seed_diagnostics

        seed_diagnostics(rng, count=400, owner=demo_owner)
        require_diagnostic(scheme)
    return ", ".join(f"{State(s).label} : {n}" for s, n in counts.items())


def _pay(manager, applications):
    """Pay through a SEPA payment batch, as production does."""
    from tremplin.payments import services as payments

    if applications:
        batch = payments.create_batch(manager, applications[0].scheme)
        payments.mark_batch_paid(manager, batch)
