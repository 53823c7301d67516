"""What every benchmark shares: a throw-away database, valid identifiers, and eligible drafts ready to submit."""

import atexit
import csv
import os
import tempfile
from pathlib import Path

from tremplin.registry.identifiers import with_check_digit as luhn  # noqa: F401 (used by the benches)


def prepare_database(label):
    """SQLite in a temp folder, or a fresh database on the PostgreSQL server of DATABASE_URL.

    The PostgreSQL database is named after the bench and the process, so two benches
    never drop each other's data, and it is dropped when the bench exits.
    """
    url = os.environ.get("DATABASE_URL")
    if not url:
        os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix=f"tn-bench-{label}-")
        return "sqlite"
    import psycopg

    base, _, _ = url.rpartition("/")
    name = f"tremplin_bench_{label}_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")

    def drop():
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    atexit.register(drop)
    os.environ["DATABASE_URL"] = f"{base}/{name}"
    return "postgresql"


# --- eligible drafts (the budget race and the surge) ---------------------------------------------

BIRTH_MONTH = "1975-06"


def write_extracts(folder, files):
    """The register's directors and the banks' account holders of the bench's companies."""
    from tremplin.demo.bank import company_iban

    rne, bank = Path(folder, "rne.csv"), Path(folder, "bank.csv")
    with rne.open("w", newline="", encoding="utf-8") as r, bank.open("w", newline="", encoding="utf-8") as b:
        directors, accounts = csv.writer(r), csv.writer(b)
        directors.writerow(["siren", "nom", "prenoms", "qualite", "date_naissance"])
        accounts.writerow(["iban", "titulaire"])
        for i in range(files):
            directors.writerow([company_siren(i), f"Dirigeant {i}", "Camille", "Président", BIRTH_MONTH])
            accounts.writerow([company_iban(company_siren(i)), company_name(i)])
    return rne, bank


def company_siren(i):
    return luhn(f"{20000000 + i:08d}")


def company_name(i):
    return f"Entreprise {i}"


def build_data(files, capacity, voucher_cents):
    from datetime import date, timedelta

    from django.utils import timezone

    from tremplin.accounts.models import User
    from tremplin.authority import services as authority
    from tremplin.authority.models import Capacity
    from tremplin.demo.bank import company_iban
    from tremplin.demo.seed import DEMO_RULES
    from tremplin.providers.models import Provider, Status
    from tremplin.registry.models import Company, Departement, Region
    from tremplin.schemes.models import EligibilityRule, Envelope, Scheme, SpendCategory
    from tremplin.vouchers.models import Application

    region = Region.objects.create(code="84", name="Auvergne-Rhône-Alpes")
    dep = Departement.objects.create(code="69", name="Rhône", region=region)
    now = timezone.now()
    scheme = Scheme.objects.create(
        name="Chèque numérique (banc d'essai)",
        slug="bench",
        spend_categories=list(SpendCategory.values),
        window_opens_at=now - timedelta(days=1),
        window_closes_at=now + timedelta(days=30),
        payee=Scheme.Payee.BUSINESS,
        allocation=Scheme.Allocation.FCFS,
    )
    EligibilityRule.objects.bulk_create(
        EligibilityRule(scheme=scheme, kind=k, params=p, position=i) for i, (k, p) in enumerate(DEMO_RULES)
    )
    envelope = Envelope.objects.create(
        scheme=scheme, region=region, year=timezone.localdate().year, total_cents=capacity * voucher_cents
    )
    # Accredited with its URSSAF certificate and insurance valid for a year (the documents themselves are
    # not what the race measures).
    provider = Provider.objects.create(
        siret=luhn("8000000000001"),
        name="Agence du banc",
        status=Status.ACCREDITED,
        documents_valid_until=timezone.localdate() + timedelta(days=365),
    )
    User.objects.bulk_create(
        User(
            email=f"bench{i}@example.fr",
            password="!",
            role="owner",
            email_verified=True,
            first_name="Camille",
            last_name=f"Dirigeant {i}",
        )
        for i in range(files)
    )
    Company.objects.bulk_create(
        Company(
            siren=company_siren(i),
            denomination=company_name(i),
            created_on=date(2015, 1, 1),
            headcount_bracket="02",
            legal_form="5710",
            naf_code="47.11B",
            departement=dep,
        )
        for i in range(files)
    )
    users = list(User.objects.filter(email__startswith="bench").order_by("id"))
    companies = list(Company.objects.order_by("id"))
    birth_date = date.fromisoformat(BIRTH_MONTH + "-15")
    for user, company in zip(users, companies, strict=True):
        # Each owner says they direct the company; the register says so too: verified by registry.
        authority.declare(
            user,
            company,
            capacity=Capacity.REPRESENTATIVE,
            given_names=user.first_name,
            family_name=user.last_name,
            birth_date=birth_date,
        )
    Application.objects.bulk_create(
        Application(
            scheme=scheme,
            owner=u,
            company=c,
            declared_headcount=3,
            declared_turnover_cents=20_000_000,
            declared_de_minimis_cents=0,
            has_linked_companies=False,  # a single undertaking of its own: no linked company's aid counts
            # The company's account; the bank is asked whose it is when the file is submitted.
            iban=company_iban(c.siren),
            account_holder=c.denomination,
            bank_document="bank/bench.pdf",
            provider=provider,
            spend_category="website",
            planned_spend_cents=voucher_cents * 2,
            quote="quotes/bench.pdf",
        )
        for u, c in zip(users, companies, strict=True)
    )
    return envelope.pk, list(Application.objects.order_by("id").values_list("pk", flat=True))
