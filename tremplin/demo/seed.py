"""Realistic demo data: a scheme, envelopes in two régions, an advisor network,
providers, people for every role and voucher files in every state.

Files are moved through the real service functions, so budget, ledger and
audit trail are exactly what production would hold. Every owner is a person of
the company's entry in the demo register (data/demo/rne_representatives.csv)
who declared it, and every file is paid to the company's account in the demo
bank file (data/demo/bank_accounts.csv); a few files show the other cases of
the authority check and of the payee check (AUTHORITY_CASES).
"""

import random
from datetime import date, timedelta
from functools import cache

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from tremplin.accounts.models import Role, User
from tremplin.authority import services as authority
from tremplin.authority.models import Capacity, Mandate
from tremplin.authority.sources import representatives_of
from tremplin.demo.bank import company_iban, french_iban, personal_iban
from tremplin.demo.documents import demo_pdf
from tremplin.network.models import Organisation
from tremplin.providers.models import Provider, Status
from tremplin.registry.identifiers import with_check_digit as luhn
from tremplin.registry.models import Company, Departement
from tremplin.schemes.models import EligibilityRule, Envelope, Scheme, SpendCategory
from tremplin.steering.demo import seed_budget, seed_figures, seed_funnel, seed_open_data
from tremplin.vouchers import services
from tremplin.vouchers.models import Application, State

DEMO_SCHEME_SLUG = "cheque-numerique-2026"
DEMO_PASSWORD = "demo-tremplin-2026"
DEMO_DOMAIN = "demo.tremplin-numerique.fr"

ARA, BRETAGNE = "84", "53"

# Their advisors head these organisations: they see its steering figures, on its territory.
HEADS = ("CMA Auvergne-Rhône-Alpes", "CMA Bretagne")
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

# The demo owner's companies, where the demo register lists her as director (scripts/make_demo_authority.py).
DEMO_OWNER_BIRTH_DATE = date(1979, 5, 14)
DEMO_OWNER_COMPANIES = {State.DRAFT: "999900012", State.APPROVED: "999900020", State.PAID: "999900038"}
# Fixed companies of the other cases: the gérant gives his own account; an employee applies.
PAYEE_NO_MATCH_SIREN = "999900046"
PENDING_SIREN = "999900053"
AUTHORITY_CASES = ("confirmed_by_advisor", "pending", "contested", "payee_no_match")


@cache
def _demo_password_hash():
    # Hashing is slow on purpose; every demo account shares one password, so hash it once.
    return make_password(DEMO_PASSWORD)


# The TOTP key of every demo staff account, published in the README: never a real secret. `manage.py
# totp_code <email>` prints the current code of an account with this key (and refuses any other key).
DEMO_TOTP_KEY = "7472656d706c696e2d64656d6f2d746f74702d31"  # b"tremplin-demo-totp-1", base32 ORZGK3LQNRUW4LLEMVWW6LLUN52HALJR


def demo_device(user):
    """The demo staff account's confirmed TOTP device, with the published demo key."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if user.role not in settings.SECOND_FACTOR_ROLES:
        return None
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "Démo", "key": DEMO_TOTP_KEY}
    )
    return device


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
    demo_device(user)
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


# The demo scheme's eligibility rules, in order (the benches open their scheme with the same ones).
DEMO_RULES = [
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
    ("max_vouchers_per_company", {"max": 1}),
]


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
    EligibilityRule.objects.bulk_create(
        EligibilityRule(scheme=scheme, kind=kind, params=params, position=i)
        for i, (kind, params) in enumerate(DEMO_RULES)
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
        advisors[name] = person(
            f"conseiller{i + 1}",
            Role.ADVISOR,
            "Conseiller",
            name,
            organisation=org,
            heads_organisation=name in HEADS,
        )
    return advisors


def make_providers(rng):
    from tremplin.providers.demo import add_documents

    providers = []
    for i, name in enumerate(PROVIDERS):
        siret = luhn(f"{81234560 + i * 7:08d}00001"[:13])
        provider, created = Provider.objects.get_or_create(
            siret=siret,
            defaults=dict(
                name=name,
                status=Status.ACCREDITED,
                iban=french_iban("30004", f"{1000 + i:05d}", f"{rng.randrange(10**10):011d}"),
                bic="BNPAFRPPXXX",
            ),
        )
        if created:
            add_documents(provider, timezone.localdate() + timedelta(days=365))
        providers.append(provider)
    Provider.objects.get_or_create(
        siret=luhn("8123456999999"), defaults=dict(name="Agence Sans Habilitation", status=Status.REQUESTED)
    )
    return providers


def birth_date_in(month, rng):
    """A birth date in the register's month of birth ("YYYY-MM"), or a plausible one when it has none."""
    if month:
        year, number = month.split("-")
        return date(int(year), int(number), rng.randint(1, 28))
    return date(rng.randint(1960, 1998), rng.randint(1, 12), rng.randint(1, 28))


def declare(user, company, birth_date, capacity=Capacity.REPRESENTATIVE):
    return authority.declare(
        user,
        company,
        capacity=capacity,
        given_names=user.first_name,
        family_name=user.last_name,
        birth_date=birth_date,
    )


def director(company, email, rng):
    """The company's first person in the register (or the SIRENE person of a sole trader), with an
    account, who declared that they represent it: verified by the registry."""
    listed = representatives_of(company)[0]
    user = person(email, Role.OWNER, listed.given_names.split()[0].title(), listed.family_name.title())
    declare(user, company, birth_date_in(listed.birth_month, rng))
    return user


def add_authority_documents(user, company, signed_by):
    """The fallback of a person the register does not list: an extract and a statement, for an advisor."""
    rep = authority.representation_of(user, company)
    return authority.add_documents(
        user,
        rep,
        register_extract=demo_pdf("extrait-registre.pdf", "Extrait du registre national des entreprises"),
        extract_issued_on=timezone.localdate() - timedelta(days=12),
        statement=demo_pdf("attestation.pdf", f"Attestation signée par {signed_by}"),
    )


def new_draft(scheme, company, owner, provider, rng, iban=None):
    spend = rng.choice([120_000, 180_000, 240_000, 300_000, 400_000, 520_000, 650_000])
    category = rng.choice(SpendCategory.values)
    app, _created = services.create_draft(owner, scheme, company)
    return services.update_draft(
        owner,
        app,
        declared_headcount=rng.randint(0, 9),
        declared_turnover_cents=rng.randrange(5_000_000, 150_000_000, 100_000),
        declared_de_minimis_cents=rng.choice([0, 0, 0, 800_000, 2_500_000]),
        has_linked_companies=False,
        # The company's account at the demo bank, with its RIB.
        iban=iban or company_iban(company.siren),
        account_holder=company.display_name[:70],
        bank_document=demo_pdf("rib.pdf", "Relevé d'identité bancaire (RIB)"),
        provider=provider,
        spend_category=category,
        project_description=f"{SpendCategory(category).label} pour {company.display_name}.",
        planned_spend_cents=spend,
        quote=demo_pdf("devis.pdf", "Devis"),
    )


def advance(app, target, advisor, rng, paid_batch, invoice=None):
    """Move a submitted file along the lifecycle to `target` through the services; the claim carries
    `invoice`, else an invoice of this file's own."""
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
    services.post_message(
        owner,
        app,
        "Nous étions 4 salariés au 31 décembre : voici le registre du personnel et la dernière DSN.",
        [
            demo_pdf("registre-du-personnel.pdf", "Registre unique du personnel"),
            demo_pdf("dsn-decembre.pdf", "Déclaration sociale nominative de décembre"),
        ],
    )
    app.refresh_from_db()
    if not app.payee_verified:
        # The bank's answer was a close match (a name written otherwise): the advisor checks the RIB.
        services.confirm_payee(advisor, app, [key for key, _label in services.payee_checklist(app)])
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
        invoice or demo_pdf("facture.pdf", f"Facture – dossier {app.reference}"),
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
        # The demo owner directs three companies and holds one file on each, in these states, so
        # logging in shows a real history.
        demo_owner_companies = {
            target: Company.objects.get(siren=siren) for target, siren in DEMO_OWNER_COMPANIES.items()
        }
        for company in demo_owner_companies.values():
            declare(demo_owner, company, DEMO_OWNER_BIRTH_DATE)
        reviewers = {ARA: advisors["CMA Auvergne-Rhône-Alpes"], BRETAGNE: advisors["CMA Bretagne"]}
        counts = {}
        to_pay, claw_back, awaiting_payment = [], [], []
        for region_code, plan in SCENARIO.items():
            companies = iter(eligible_companies(region_code))
            region_providers = providers[:6] if region_code == ARA else providers[6:]
            for target, how_many in plan:
                for _ in range(how_many):
                    counts[target] = counts.get(target, 0) + 1
                    if region_code == ARA and target in demo_owner_companies:
                        company, owner = demo_owner_companies.pop(target), demo_owner
                    else:
                        company = next(companies)
                        owner = director(company, f"dirigeant{sum(counts.values())}", rng)
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
        for state in seed_authority_cases(scheme, reviewers[ARA], providers[:6], demo_owner, rng):
            counts[state] = counts.get(state, 0) + 1
        for state in seed_fraud_cases(scheme, reviewers[ARA], providers[:6], rng):
            counts[state] = counts.get(state, 0) + 1
        # Requests routed to advisors, awareness and coaching sessions.
        from tremplin.network.demo import seed_network

        seed_network(rng)
        # Diagnostics over sectors, sizes and régions (peer benchmarks), with a T0/T1 history
        # for the demo owner's company.
        from tremplin.diagnostics.demo import seed_diagnostics

        seed_diagnostics(rng, count=400, owner=demo_owner)
        require_diagnostic(scheme)
        seed_funnel(rng)
        seed_budget(rng)
        seed_open_data(rng)
        seed_figures(rng)
    return ", ".join(f"{State(s).label} : {n}" for s, n in counts.items())


def seed_authority_cases(scheme, advisor, providers, demo_owner, rng):
    """One file of each case of the authority and payee checks, in Auvergne-Rhône-Alpes (the CMA's
    advisor sees them), and the demo owner's mandates. Yields the state each file reaches."""
    companies = iter(eligible_companies(ARA))

    def submitted_draft(company, owner, iban=None):
        app = new_draft(scheme, company, owner, rng.choice(providers), rng, iban=iban)
        return services.submit(owner, app)

    # Confirmed by an advisor: the director's daughter applies; the register does not list her, so
    # she gave an extract and a statement her parent signed, and the advisor checked them.
    company = next(companies)
    listed = representatives_of(company)[0]
    relative = person("proche", Role.OWNER, "Léa", listed.family_name.title())
    declare(relative, company, date(1998, 3, 9), Capacity.MANDATE_HOLDER)
    add_authority_documents(relative, company, f"{listed.given_names} {listed.family_name.title()}")
    app = submitted_draft(company, relative)
    checked = [key for key, _label in authority.CHECKLIST]
    yield services.confirm_authority(advisor, app, checked).state

    # Pending: an employee of the bookshop applies with her documents; an advisor has yet to check them.
    company = Company.objects.get(siren=PENDING_SIREN)
    employee = person("salariee", Role.OWNER, "Julie", "Roux")
    declare(employee, company, date(1991, 6, 21), Capacity.MANDATE_HOLDER)
    add_authority_documents(employee, company, "Anne Sophie Leroy")
    yield submitted_draft(company, employee).state

    # Contested: someone the register does not list says they run the company, with documents; the
    # real director contests the file, which goes on hold for an advisor.
    company = next(companies)
    stranger = person("inconnu", Role.OWNER, "Marc", "Lemoine")
    declare(stranger, company, date(1985, 11, 2))
    add_authority_documents(stranger, company, "Marc Lemoine")
    submitted_draft(company, stranger)
    real_director = director(company, "representant", rng)
    yield services.contest(
        real_director,
        company,
        "Je dirige l'entreprise : je n'ai pas fait cette demande et je n'ai donné de mandat à personne.",
    ).state

    # Payee NO MATCH: the gérant gave his own account, not the company's; the advisor must check it
    # before approving.
    company = Company.objects.get(siren=PAYEE_NO_MATCH_SIREN)
    owner = director(company, "plombier", rng)
    app = submitted_draft(company, owner, iban=personal_iban(company.siren))
    yield services.start_review(advisor, app).state

    # The demo owner's mandates: her accountant acts for the bakery; her brother's mandate is revoked.
    mandate_holder(
        demo_owner,
        DEMO_OWNER_COMPANIES[State.DRAFT],
        "comptable",
        "Sophie",
        "Bernard",
        Mandate.Kind.ACCOUNTANT,
        date(1976, 1, 30),
    )
    mandate = mandate_holder(
        demo_owner,
        DEMO_OWNER_COMPANIES[State.APPROVED],
        "frere",
        "Lucas",
        "Martin",
        Mandate.Kind.FAMILY,
        date(1983, 8, 17),
    )
    authority.revoke_mandate(demo_owner, mandate)


def seed_fraud_cases(scheme, advisor, providers, rng):
    """Files the fraud flags point to, in Auvergne-Rhône-Alpes (docs/fraud.md): the same invoice on two
    claims, one IBAN for two companies, a file paid to its provider's account. Yields each file's state.
    No other demo file raises a flag."""
    companies = iter(eligible_companies(ARA))

    def submitted(iban=None, provider=None):
        company = next(companies)
        owner = director(company, f"dirigeant-{company.siren}", rng)
        app = new_draft(scheme, company, owner, provider or rng.choice(providers), rng, iban=iban)
        return services.submit(owner, app)

    # The same invoice file sent with the claims of two files of one provider.
    reused = demo_pdf("facture.pdf", "Facture F-2026-0412 – Création de site internet")
    for _ in range(2):
        app = submitted(provider=providers[1])
        advance(app, State.CLAIM_SUBMITTED, advisor, rng, [], invoice=reused)
        app.refresh_from_db()
        yield app.state
    # One account given for two companies: the second file names the first company's IBAN.
    first = submitted()
    yield first.state
    yield submitted(iban=company_iban(first.company.siren)).state
    # The provider's own account given as the company's.
    yield submitted(iban=providers[2].iban, provider=providers[2]).state


def mandate_holder(grantor, siren, email, first, last, kind, birth_date):
    """A person `grantor` gives a mandate for the company, who then declares acting under it."""
    company = Company.objects.get(siren=siren)
    holder = person(email, Role.OWNER, first, last)
    mandate = authority.give_mandate(
        grantor, company, holder_email=holder.email, holder_name=holder.get_full_name(), kind=kind
    )
    declare(holder, company, birth_date, Capacity.MANDATE_HOLDER)
    return mandate


def _pay(manager, applications):
    """Pay through a SEPA payment batch, as production does."""
    from tremplin.payments import services as payments

    if applications:
        batch = payments.create_batch(manager, applications[0].scheme)
        payments.mark_batch_paid(manager, batch)
