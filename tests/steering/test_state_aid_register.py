"""The granted vouchers for the national de minimis register: rows and columns checked by hand, the page
and the command, for managers and auditors only."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.factories import ApplicationFactory, CompanyFactory, SchemeFactory
from tremplin.registry.models import Diffusion, NafCode, NafSection
from tremplin.steering import refresh, state_aid, stock_facts
from tremplin.vouchers.models import Application, State

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
URL = reverse("steering:state_aid_register")


def grant(company, when, amount_cents, state=State.APPROVED, scheme=None, **fields):
    app = ApplicationFactory(
        company=company, state=state, amount_cents=amount_cents, reserved_cents=amount_cents,
        **({"scheme": scheme} if scheme else {}), **fields,
    )  # fmt: skip
    Application.objects.filter(pk=app.pk).update(decided_at=when)
    return Application.objects.get(pk=app.pk)


@pytest.fixture
def register(rhone, settings):
    settings.STATE_AID_GRANTOR_NAME = "Ministère de l'Économie"
    settings.STATE_AID_GRANTOR_SIRET = "11000201100044"
    NafCode.objects.create(
        code="10.71C",
        label="Boulangerie",
        section=NafSection.objects.create(code="C", label="Industrie manufacturière"),
    )
    scheme = SchemeFactory(slug="cheque-numerique", name="Chèque numérique")
    bakery = CompanyFactory(
        siren="732829320", denomination="Boulangerie Martin", head_office_nic="00011", departement=rhone
    )
    hidden = CompanyFactory(
        siren="552032534", denomination="", first_name="", last_name="", diffusion=Diffusion.PARTIAL,
        naf_code="62.01Z", head_office_nic="", departement=rhone,
    )  # fmt: skip
    formula = CompanyFactory(siren="542051180", denomination="=HYPERLINK(1)", departement=rhone)
    first = grant(bakery, datetime(2026, 1, 5, 0, 15, tzinfo=PARIS), 250_050, State.PAID, scheme)
    Application.objects.filter(pk=first.pk).update(reserved_cents=200_000)
    second = grant(hidden, datetime(2026, 3, 2, 16, 0, tzinfo=PARIS), 150_000, State.APPROVED, scheme)
    third = grant(formula, datetime(2026, 4, 1, 9, 0, tzinfo=PARIS), 100_000, State.CLAWED_BACK, scheme)
    grant(
        CompanyFactory(departement=rhone),
        datetime(2026, 2, 1, 9, tzinfo=PARIS),
        90_000,
        State.EXPIRED,
        scheme,
    )
    ApplicationFactory(company=CompanyFactory(departement=rhone), scheme=scheme)  # a draft: not granted
    return first, second, third


def read(text):
    return list(csv.reader(io.StringIO(text)))


def test_the_file_has_one_row_per_granted_voucher_with_the_columns_by_hand(register):
    first, second, third = register
    lines = read("".join(state_aid.csv_lines()))
    assert lines[0] == state_aid.COLUMNS
    assert lines[0] == [
        "identifiant_aide", "reference_dossier", "siren_beneficiaire", "siret_beneficiaire", "nom_beneficiaire",
        "montant_aide_eur", "equivalent_subvention_brut_eur", "date_octroi", "nom_autorite_octroi",
        "siret_autorite_octroi", "instrument_aide", "code_nace", "section_nace", "code_naf",
        "reglement_de_minimis", "dispositif", "etat_dossier", "montant_verse_eur",
    ]  # fmt: skip
    year = first.created_at.year
    assert lines[1] == [
        f"TN-cheque-numerique-{year}-{first.pk:06d}", f"TN-{year}-{first.pk:06d}", "732829320",
        "73282932000011", "Boulangerie Martin", "2500.50", "2500.50",
        "2026-01-05",  # 00:15 in Paris, 4 January 23:15 UTC: the day in France
        "Ministère de l'Économie", "11000201100044", "subvention", "10.71", "C", "10.71C",
        "Règlement (UE) 2023/2831", "Chèque numérique", "Payé", "2000.00",
    ]  # fmt: skip
    # A sole trader SIRENE does not disclose: no name, the SIREN identifies it; no head office NIC, no SIRET.
    assert lines[2][2:6] == ["552032534", "", "", "1500.00"]
    assert lines[2][11:14] == ["62.01", "", "62.01Z"] and lines[2][16:] == ["Chèque accordé", ""]
    # A name a spreadsheet would run as a formula is neutralised; a clawed-back aid stays on the register.
    assert lines[3][4] == "'=HYPERLINK(1)" and lines[3][16] == "Reversement exigé"
    assert len(lines) == 4  # the expired voucher and the draft are not in it


def test_the_ids_are_stable_and_unique(register):
    ids = [row["identifiant_aide"] for row in state_aid.rows()]
    assert len(set(ids)) == 3 and ids == [row["identifiant_aide"] for row in state_aid.rows()]


def test_the_grant_dates_filter_by_day_both_ends_included(register):
    from datetime import date

    rows = list(state_aid.rows(since=date(2026, 1, 5), until=date(2026, 3, 2)))
    assert [r["date_octroi"] for r in rows] == ["2026-01-05", "2026-03-02"]
    assert list(state_aid.rows(since=date(2026, 1, 6), until=date(2026, 3, 1))) == []


def test_the_grantor_defaults_to_the_open_data_s_then_to_the_demo(settings):
    settings.STATE_AID_GRANTOR_NAME = settings.STATE_AID_GRANTOR_SIRET = ""
    settings.GRANTOR_NAME, settings.GRANTOR_SIRET = "DGE", "13001234500017"
    assert state_aid.grantor() == state_aid.Grantor("DGE", "13001234500017")
    del settings.GRANTOR_NAME, settings.GRANTOR_SIRET
    assert state_aid.grantor() == state_aid.Grantor(settings.PAYER_NAME, "13000000300017")


def test_the_command_writes_the_same_file(register, tmp_path):
    out = io.StringIO()
    call_command("export_state_aid_register", stdout=out)
    assert out.getvalue() == "".join(state_aid.csv_lines())
    path = tmp_path / "registre.csv"
    call_command("export_state_aid_register", "--output", str(path), "--since", "2026-03-01")
    assert [r[7] for r in read(path.read_text(encoding="utf-8"))[1:]] == ["2026-03-02", "2026-04-01"]


def test_the_command_refuses_a_wrong_date():
    from django.core.management.base import CommandError

    with pytest.raises((CommandError, SystemExit)):
        call_command("export_state_aid_register", "--since", "2026-13-01")


@pytest.mark.parametrize("who", ["manager", "auditor"])
def test_managers_and_auditors_read_the_page_and_download_the_file(request, client, register, who):
    client.force_login(request.getfixturevalue(who))
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Registre des aides d'État (aides de minimis)" in html
    assert "Chiffres calculés le" in html and "5\u202f000,50 €" in html  # 2 500,50 + 1 500 + 1 000
    assert f"TN-cheque-numerique-{register[0].created_at.year}-{register[0].pk:06d}" in html
    download = client.get(URL, {"format": "csv"})
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).decode() == "".join(state_aid.csv_lines())


def test_the_page_s_totals_are_those_of_the_last_refresh(client, register, manager, rhone):
    """Counting every granted voucher of the nation is too long for each view: the totals come from the
    steering figures' refresh, which the page dates; the file stays live."""
    stock_facts.refresh()
    stored = refresh.last_refresh()
    assert state_aid.stored_summary(stored) == state_aid.summary()
    assert (stored.aids_count, stored.aids_total_cents) == (3, 500_050)
    later = grant(CompanyFactory(departement=rhone), datetime(2026, 5, 4, 10, tzinfo=PARIS), 70_000)
    client.force_login(manager)

    html = client.get(URL).content.decode()

    assert "Totaux arrêtés le" in html and "5\u202f000,50 €" in html  # not yet the later grant
    assert aid_id_in(html, later)  # the latest aids are read live
    assert len(read("".join(state_aid.csv_lines()))) == 1 + 4
    stock_facts.refresh()
    assert "5\u202f700,50 €" in client.get(URL).content.decode()


def aid_id_in(html, application):
    return state_aid.aid_id(application) in html


def test_the_page_counts_few_queries(client, register, manager, django_assert_max_num_queries):
    client.force_login(manager)
    with django_assert_max_num_queries(14):
        client.get(URL)


@pytest.fixture
def head(advisor):
    advisor.heads_organisation = True
    advisor.save()
    return advisor


@pytest.mark.parametrize("who", ["head", "advisor", "owner", "provider_member"])
def test_others_may_not_see_it_nor_download_it(request, client, register, who):
    person = request.getfixturevalue(who)
    client.force_login(person)
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"format": "csv"}).status_code == 403


def test_an_organisation_s_head_does_not_see_it_in_the_menu(client, head, manager):
    client.force_login(head)
    assert URL not in client.get(reverse("steering:index")).content.decode()
    client.force_login(manager)
    assert URL in client.get(reverse("steering:index")).content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_the_page_says_it_in_english(client, manager):
    client.force_login(manager)
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "State-aid register (de minimis aid)" in html
    assert "Download the file (CSV)" in html


def test_a_post_is_refused(client, manager):
    client.force_login(manager)
    assert client.post(URL).status_code == 405
