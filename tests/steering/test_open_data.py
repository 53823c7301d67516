"""Open data: the SCDL "subventions" file, the aggregated datasets with statistical secrecy, their Table
Schemas (every published file validated with frictionless), the steering page, the public URLs and the
export command. Figures are checked against values worked out by hand on small fixtures."""

import csv
import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from frictionless import Resource, Schema, validate

from tests.factories import ApplicationFactory, CompanyFactory, DepartementFactory, SchemeFactory, UserFactory
from tremplin.diagnostics.models import Diagnostic
from tremplin.payments.models import PaymentBatch, PaymentLine
from tremplin.registry.models import Diffusion, Establishment
from tremplin.steering import opendata
from tremplin.vouchers.models import State

pytestmark = pytest.mark.django_db


def at(day, hour=12):
    return datetime(*day, hour, tzinfo=UTC)


@pytest.fixture
def scheme(db):
    return SchemeFactory(name="Chèque France Num", slug="cheque-france-num", payment_target_days=30)


def granted(scheme, state=State.APPROVED, cents=123_456, decided=(2026, 2, 10), **company):
    return ApplicationFactory(
        scheme=scheme,
        company=CompanyFactory(**company),
        state=state,
        amount_cents=cents,
        submitted_at=at((2026, 2, 1)),
        decided_at=at(decided),
        valid_until=date(2026, 8, 9),
    )


def pay(applications, paid_at, cents=None):
    batch = PaymentBatch.objects.create(
        scheme=applications[0].scheme,
        state=PaymentBatch.State.PAID,
        message_id=f"TN-{PaymentBatch.objects.count() + 1}",
        created_by=UserFactory(manager=True),
        execution_date=paid_at.date(),
        paid_at=paid_at,
    )
    for a in applications:
        PaymentLine.objects.create(
            batch=batch,
            application=a,
            amount_cents=cents if cents is not None else a.amount_cents,
            creditor_name="Boulangerie",
            creditor_iban=a.iban,
            end_to_end_id=f"E2E-{a.pk}",
            remittance_info=a.reference,
        )
    return batch


def scdl():
    rows, facts = opendata.grants()
    return list(rows), facts


def validated(content, slug, fmt="csv"):
    """frictionless's report on a published file against the dataset's own schema."""
    schema = Schema.from_descriptor(opendata.load_schema(slug))
    if fmt == "parquet":
        table = pq.read_table(io.BytesIO(content))
        rows = [[opendata.csv_text(v) for v in row.values()] for row in table.to_pylist()]
        resource = Resource(data=[table.column_names, *rows], schema=schema)
    else:
        resource = Resource(data=content, format="csv", encoding="utf-8", schema=schema)
    return validate(resource)


def csv_rows(content):
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


# --- SCDL ------------------------------------------------------------------------------------------


def test_a_granted_voucher_gives_one_scdl_row_worked_out_by_hand(settings, scheme):
    settings.GRANTOR_NAME, settings.GRANTOR_SIRET = "Direction générale des entreprises", "13000000300017"
    voucher = granted(scheme, siren="732829320", head_office_nic="00074", denomination="Fournil du Rhône")
    rows, facts = scdl()
    assert facts == {"rows": 1, "left_out": 0}
    assert rows == [
        {
            "nomAttribuant": "Direction générale des entreprises",
            "idAttribuant": "13000000300017",
            "dateConvention": date(2026, 2, 10),
            "referenceDecision": voucher.reference,
            "nomBeneficiaire": "Fournil du Rhône",
            "idBeneficiaire": "73282932000074",
            "rnaBeneficiaire": None,
            "objet": "Chèque numérique « Chèque France Num » : Site internet",
            "montant": Decimal("1234.56"),
            "nature": "aide en numéraire",
            "conditionsVersement": "unique",
            # From the grant to the claim deadline (9 August) plus the 30 days of the payment target.
            "datesPeriodeVersement": "2026-02-10/2026-09-08",
            "idRAE": None,
            "notificationUE": False,
            "pourcentageSubvention": Decimal("1.00"),
            "dispositifAide": "cheque-france-num",
        }
    ]
    line = opendata.to_csv(opendata.DATASETS["subventions"], rows).decode().splitlines()[1]
    assert ",1234.56,aide en numéraire,unique,2026-02-10/2026-09-08,,non,1.00,cheque-france-num" in line


def test_only_granted_vouchers_are_published_and_a_paid_one_gives_its_transfer_day(scheme):
    paid = granted(scheme, state=State.PAID, cents=50_000)
    pay([paid], at((2026, 3, 5)))
    for state in (State.CLAIM_SUBMITTED, State.EXPIRED, State.CLAWED_BACK):
        granted(scheme, state=state)
    for state in (State.DRAFT, State.SUBMITTED, State.UNDER_REVIEW, State.REJECTED, State.WITHDRAWN):
        ApplicationFactory(scheme=scheme, state=state, amount_cents=50_000)
    rows, facts = scdl()
    assert facts["rows"] == 4
    by_reference = {row["referenceDecision"]: row for row in rows}
    assert by_reference[paid.reference]["datesPeriodeVersement"] == "2026-03-05"
    assert by_reference[paid.reference]["montant"] == Decimal("500.00")


def test_the_establishment_s_siret_is_the_beneficiary_s_when_the_file_names_one(scheme):
    voucher = granted(scheme)
    voucher.establishment = Establishment.objects.create(
        siret=voucher.company.siren + "00029", company=voucher.company, nic="00029"
    )
    voucher.save()
    [row], _ = scdl()
    assert row["idBeneficiaire"] == voucher.company.siren + "00029"


def test_sole_traders_whose_identity_insee_does_not_publish_are_left_out(scheme):
    granted(scheme, denomination="SARL Visible")
    granted(
        scheme, denomination="", last_name="", first_name="", legal_form="1000", diffusion=Diffusion.PARTIAL
    )
    hidden_shop = granted(scheme, denomination="", last_name="Durand", first_name="Anne", legal_form="1000")
    Establishment.objects.create(
        siret=hidden_shop.company.siren + "00011",
        company=hidden_shop.company,
        nic="00011",
        diffusion=Diffusion.PARTIAL,
    )
    hidden_shop.establishment = hidden_shop.company.establishments.get()
    hidden_shop.save()
    rows, facts = scdl()
    assert facts == {"rows": 1, "left_out": 2}
    assert [row["nomBeneficiaire"] for row in rows] == ["SARL Visible"]
    content = opendata.to_csv(opendata.DATASETS["subventions"], rows).decode()
    assert "Durand" not in content and hidden_shop.reference not in content


def test_the_scdl_file_validates_against_its_schema(scheme):
    granted(scheme)
    pay([granted(scheme, state=State.PAID)], at((2026, 3, 5)))
    granted(scheme, denomination="Café « Le Zinc », Lyon")  # quotes and a comma survive the CSV
    dataset = opendata.DATASETS["subventions"]
    rows, _ = scdl()
    report = validated(opendata.to_csv(dataset, rows), "subventions")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.tasks[0].stats["rows"] == 3


def test_the_validation_is_not_a_formality(scheme):
    granted(scheme)
    dataset = opendata.DATASETS["subventions"]
    content = opendata.to_csv(dataset, scdl()[0]).decode().replace(",1234.56,", ",1234;56,")
    report = validated(content.replace(",non,", ",peut-être,").encode(), "subventions")
    assert not report.valid
    assert {error[0] for error in report.flatten(["fieldName"])} == {"montant", "notificationUE"}


def test_the_shipped_scdl_schema_has_the_sixteen_fields_of_version_2_1_1():
    schema = opendata.load_schema("subventions")
    assert schema["version"] == "2.1.1"
    assert [f["name"] for f in schema["fields"]] == [
        "nomAttribuant",
        "idAttribuant",
        "dateConvention",
        "referenceDecision",
        "nomBeneficiaire",
        "idBeneficiaire",
        "rnaBeneficiaire",
        "objet",
        "montant",
        "nature",
        "conditionsVersement",
        "datesPeriodeVersement",
        "idRAE",
        "notificationUE",
        "pourcentageSubvention",
        "dispositifAide",
    ]


# --- aggregated datasets ---------------------------------------------------------------------------


def test_suppression_blanks_cells_under_ten_and_keeps_those_of_ten():
    cells = [
        {"n": 9, "amount": Decimal("90.00")},
        {"n": 10, "amount": Decimal("100.00")},
        {"n": 1, "amount": Decimal("5.00")},
    ]
    assert opendata.suppress(cells, "n", ["amount"]) == [
        {"n": None, "amount": None, "secretStatistique": True},
        {"n": 10, "amount": Decimal("100.00"), "secretStatistique": False},
        {"n": None, "amount": None, "secretStatistique": True},
    ]


@pytest.fixture
def brittany(db):
    return DepartementFactory(code="35", name="Ille-et-Vilaine", region__code="53", region__name="Bretagne")


def submitted(scheme, when, **company):
    moment = when if isinstance(when, datetime) else at(when)
    return ApplicationFactory(
        scheme=scheme, company=CompanyFactory(**company), state=State.SUBMITTED, submitted_at=moment
    )


def test_applications_are_counted_by_departement_naf_section_and_month(scheme, brittany):
    for _ in range(10):
        submitted(scheme, (2026, 3, 2))  # Rhône, 10.71C: section C
    for naf in ("62.01Z",) * 6 + ("63.11Z",) * 3:  # two divisions of section J: 9 in all
        submitted(scheme, (2026, 3, 20), naf_code=naf)
    submitted(scheme, (2026, 4, 1), departement=brittany)
    # 28 February 23:30 UTC is already 1 March in Paris: it counts in March.
    submitted(scheme, datetime(2026, 2, 28, 23, 30, tzinfo=UTC))
    ApplicationFactory(scheme=scheme)  # a draft: not submitted, not counted
    rows, _ = opendata.applications()
    assert rows == [
        {
            "departement": "69",
            "sectionNaf": "C",
            "mois": "2026-03",
            "nombreDemandes": 11,
            "secretStatistique": False,
        },
        {
            "departement": "69",
            "sectionNaf": "J",
            "mois": "2026-03",
            "nombreDemandes": None,
            "secretStatistique": True,
        },
        {
            "departement": "35",
            "sectionNaf": "C",
            "mois": "2026-04",
            "nombreDemandes": None,
            "secretStatistique": True,
        },
    ]


def test_payments_give_their_count_and_amount_by_hand_and_hide_both_under_ten(scheme):
    big = [granted(scheme, state=State.PAID, cents=25_000 + i) for i in range(10)]
    pay(big, at((2026, 3, 5)))
    small = [granted(scheme, state=State.PAID, naf_code="62.01Z") for _ in range(2)]
    pay(small, at((2026, 3, 6)))
    draft_batch = pay([granted(scheme, state=State.CLAIM_APPROVED)], at((2026, 3, 7)))
    PaymentBatch.objects.filter(pk=draft_batch.pk).update(state=PaymentBatch.State.DRAFT, paid_at=None)
    rows, _ = opendata.payments()
    # 10 x 250.00 EUR + (0 + 1 + ... + 9) cents = 2,500.45 EUR.
    assert rows == [
        {
            "departement": "69",
            "sectionNaf": "C",
            "mois": "2026-03",
            "nombrePaiements": 10,
            "montantPaye": Decimal("2500.45"),
            "secretStatistique": False,
        },
        {
            "departement": "69",
            "sectionNaf": "J",
            "mois": "2026-03",
            "nombrePaiements": None,
            "montantPaye": None,
            "secretStatistique": True,
        },
    ]


def test_completed_diagnostics_are_counted_and_unfinished_ones_are_not():
    company = CompanyFactory(naf_code="47.11B")
    for day in range(1, 13):
        Diagnostic.objects.create(company=company, state="completed", completed_at=at((2026, 1, day)))
    Diagnostic.objects.create(company=company)  # in progress
    rows, _ = opendata.diagnostics()
    assert rows == [
        {
            "departement": "69",
            "sectionNaf": "G",
            "mois": "2026-01",
            "nombreDiagnostics": 12,
            "secretStatistique": False,
        }
    ]


@pytest.fixture
def everything(scheme, brittany):
    for _ in range(10):
        submitted(scheme, (2026, 3, 2))
    submitted(scheme, (2026, 3, 2), departement=brittany, naf_code="")
    paid = [granted(scheme, state=State.PAID) for _ in range(11)]
    pay(paid, at((2026, 3, 5)))
    granted(scheme, denomination="", legal_form="1000", diffusion=Diffusion.PARTIAL)
    for day in range(1, 4):
        Diagnostic.objects.create(company=paid[0].company, state="completed", completed_at=at((2026, 1, day)))


@pytest.mark.parametrize("slug", ["demandes", "paiements", "diagnostics"])
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_every_aggregated_file_validates_against_its_schema(everything, slug, fmt):
    dataset = opendata.DATASETS[slug]
    rows, _ = dataset.rows()
    assert rows
    content = opendata.render(dataset, fmt, rows, timezone.now())
    report = validated(content, slug, fmt)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.tasks[0].stats["rows"] == len(rows)


def test_the_parquet_file_is_typed_and_carries_its_generation_time(everything):
    dataset = opendata.DATASETS["paiements"]
    generated_at = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
    table = pq.read_table(io.BytesIO(opendata.render(dataset, "parquet", dataset.rows()[0], generated_at)))
    assert table.schema.metadata[b"generated_at"] == b"2026-12-03T06:00:00+00:00"
    assert str(table.schema.field("montantPaye").type) == "decimal128(14, 2)"
    assert str(table.schema.field("nombrePaiements").type) == "int64"
    assert table.to_pylist()[0]["montantPaye"] == Decimal("13580.16")  # 11 x 1,234.56 EUR


# --- pages, public URLs, command -------------------------------------------------------------------


def test_the_public_files_need_no_login_and_say_when_they_were_built(client, everything):
    response = client.get(reverse("opendata:file", args=["subventions", "csv"]))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="tremplin-subventions-')
    assert "Last-Modified" in response
    body = b"".join(response.streaming_content)
    assert len(csv_rows(body)) == 11 and validated(body, "subventions").valid
    parquet = client.get(reverse("opendata:file", args=["demandes", "parquet"]))
    assert parquet.status_code == 200 and b"".join(parquet.streaming_content).startswith(b"PAR1")
    schema = client.get(reverse("opendata:schema", args=["paiements"]))
    assert schema.status_code == 200 and schema.json()["name"] == "tremplin-paiements"


def test_a_public_file_is_rebuilt_only_once_it_is_too_old(client, settings, scheme):
    url = reverse("opendata:file", args=["subventions", "csv"])
    assert len(csv_rows(b"".join(client.get(url).streaming_content))) == 0
    granted(scheme)
    assert len(csv_rows(b"".join(client.get(url).streaming_content))) == 0  # still the hour's build
    settings.OPEN_DATA_MAX_AGE = 0
    assert len(csv_rows(b"".join(client.get(url).streaming_content))) == 1


@pytest.mark.parametrize(
    "path",
    [
        "/donnees-ouvertes/inconnu.csv",
        "/donnees-ouvertes/subventions.parquet",
        "/donnees-ouvertes/demandes.xlsx",
    ],
)
def test_an_unknown_file_is_not_found(client, path):
    assert client.get(path).status_code == 404


def test_the_steering_page_lists_every_file_and_when_it_was_built(logged_in, manager, everything):
    client = logged_in(manager)
    page = client.get(reverse("steering:open_data")).content.decode()
    assert "Pas encore générés" in page
    for slug, dataset in opendata.DATASETS.items():
        for fmt in dataset.formats:
            assert f'href="{reverse("opendata:file", args=[slug, fmt])}"' in page
        assert f'href="{reverse("opendata:schema", args=[slug])}"' in page
    b"".join(client.get(reverse("opendata:file", args=["subventions", "csv"])).streaming_content)
    page = client.get(reverse("steering:open_data")).content.decode()
    assert "Fichiers générés le" in page and "1 chèque n'est pas publié" in page


def test_the_steering_page_reads_no_figure_from_the_database(
    logged_in, manager, everything, django_assert_max_num_queries
):
    client = logged_in(manager)
    with django_assert_max_num_queries(4):
        assert client.get(reverse("steering:open_data")).status_code == 200


@pytest.mark.parametrize("who", ["owner", "advisor", "provider_member"])
def test_people_who_do_not_steer_do_not_see_the_steering_page(request, logged_in, who):
    client = logged_in(request.getfixturevalue(who))
    assert client.get(reverse("steering:open_data")).status_code == 403


def test_the_command_writes_every_file_with_its_schema_and_a_data_package(tmp_path, everything):
    call_command("export_open_data", str(tmp_path / "publication"), stdout=io.StringIO())
    out = tmp_path / "publication"
    package = json.loads((out / "datapackage.json").read_text())
    names = sorted(r["name"] for r in package["resources"])
    assert names == [
        "demandes-csv",
        "demandes-parquet",
        "diagnostics-csv",
        "diagnostics-parquet",
        "paiements-csv",
        "paiements-parquet",
        "subventions-csv",
    ]
    stamp = opendata.stamp(datetime.fromisoformat(package["created"]))
    for resource in package["resources"]:
        assert stamp in resource["path"]
        slug = resource["name"].rsplit("-", 1)[0]
        report = validated((out / resource["path"]).read_bytes(), slug, resource["format"])
        assert report.valid, (resource["path"], report.flatten(["rowNumber", "fieldName", "note"]))
        assert json.loads((out / resource["schema"]).read_text()) == opendata.load_schema(slug)


def test_a_new_demo_drops_the_files_built_from_the_previous_database(client, scheme):
    from tremplin.steering.demo import seed_open_data

    url = reverse("opendata:file", args=["subventions", "csv"])
    b"".join(client.get(url).streaming_content)
    granted(scheme)
    seed_open_data(None)
    assert opendata.last_build(opendata.DATASETS["subventions"]) is None
    assert len(csv_rows(b"".join(client.get(url).streaming_content))) == 1


def test_the_scdl_file_reads_the_database_in_a_constant_number_of_queries(
    scheme, django_assert_max_num_queries
):
    pay([granted(scheme, state=State.PAID)], at((2026, 3, 5)))
    for _ in range(3):
        granted(scheme)
    with django_assert_max_num_queries(1):
        rows, _ = scdl()
    assert len(rows) == 4


def test_a_stale_file_is_served_while_the_task_queue_rebuilds_it_once(client, settings, scheme):
    from django_tasks import default_task_backend

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    url = reverse("opendata:file", args=["subventions", "csv"])
    assert len(csv_rows(b"".join(client.get(url).streaming_content))) == 0  # missing: built at once
    granted(scheme)
    settings.OPEN_DATA_MAX_AGE = 0
    for _ in range(2):
        assert len(csv_rows(b"".join(client.get(url).streaming_content))) == 0
    [result] = default_task_backend.results
    assert result.task.name == "rebuild_task" and result.kwargs == {"slug": "subventions"}
    opendata.rebuild_task.call(slug="subventions")  # what the worker does
    settings.OPEN_DATA_MAX_AGE = 3600
    assert len(csv_rows(b"".join(client.get(url).streaming_content))) == 1


def test_an_organisation_s_head_and_an_auditor_see_the_same_national_files(logged_in, advisor, auditor):
    advisor.heads_organisation = True
    advisor.save()
    for person in (advisor, auditor):
        page = logged_in(person).get(reverse("steering:open_data"))
        assert page.status_code == 200
        assert "Ils couvrent toute la France, quel que soit votre périmètre." in page.content.decode()
        assert f'href="{reverse("opendata:file", args=["subventions", "csv"])}"' in page.content.decode()


def test_anonymous_visitors_are_sent_to_log_in_for_the_page_but_not_for_the_files(client):
    response = client.get(reverse("steering:open_data"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert client.get(reverse("opendata:schema", args=["demandes"])).status_code == 200
