from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.factories import ApplicationFactory, pdf_file
from tests.helpers_facturx import facturx_pdf, facturx_xml, pdf_with_attachment, plain_pdf
from tests.payments.flows import advisor_of_default_territory, approved_application, scheme_with_budget
from tremplin.vouchers import services
from tremplin.vouchers.invoices import check_invoice
from tremplin.vouchers.models import State

pytestmark = pytest.mark.django_db

DECIDED = date(2026, 3, 2)
VALID_UNTIL = date(2026, 8, 29)


def upload(data, name="facture.pdf"):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def application():
    """An approved voucher (dates set by hand) for 4 000 € of planned spend."""
    application = ApplicationFactory(planned_spend_cents=400_000)
    application.decided_at = timezone.make_aware(timezone.datetime(2026, 3, 2, 10, 30))
    application.valid_until = VALID_UNTIL
    return application


def invoice_for(application, **params):
    params = {
        "seller_id": application.provider.siret,
        "issue_date": date(2026, 5, 12),
        "total_ht_cents": 400_000,
        **params,
    }
    return upload(facturx_pdf(**params))


# --- reading --------------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", ["minimum", "basicwl"])
def test_a_facturx_invoice_is_read(profile, application):
    invoice = invoice_for(application, profile=profile, number="F-2026-0042")

    read, flags = check_invoice(invoice, application, 400_000)

    assert flags == []
    assert read == {
        "facturx": True,
        "readable": True,
        "profile": profile,
        "number": "F-2026-0042",
        "date": date(2026, 5, 12),
        "seller_name": "Agence Web Lyonnaise",
        "seller_id_scheme": "0009",
        "seller_siret": application.provider.siret,
        "seller_siren": application.provider.siret[:9],
        "currency": "EUR",
        "total_ht_cents": 400_000,
        "grand_total_cents": 480_000,
    }


def test_amounts_are_read_as_exact_cents(application):
    # 4 500,57 € would come out as 450 056 cents through a float.
    invoice = invoice_for(application, total_ht_cents=450_057)
    application.planned_spend_cents = 500_000

    read, flags = check_invoice(invoice, application, 450_057)

    assert (read["total_ht_cents"], flags) == (450_057, [])


def test_a_siren_only_invoice_matches_the_providers_siren(application):
    invoice = invoice_for(application, seller_id=application.provider.siren)

    read, flags = check_invoice(invoice, application, 400_000)

    assert flags == []
    assert (read["seller_siren"], read["seller_id_scheme"]) == (application.provider.siren, "0002")
    assert "seller_siret" not in read


def test_the_upload_can_still_be_saved_after_reading(application):
    invoice = invoice_for(application)

    check_invoice(invoice, application, 400_000)

    assert invoice.tell() == 0
    assert invoice.read(5) == b"%PDF-"


def test_a_plain_pdf_is_left_to_the_advisor(application):
    assert check_invoice(upload(plain_pdf()), application, 400_000) == ({"facturx": False}, [])


def test_a_pdf_the_reader_cannot_open_is_left_to_the_advisor(application):
    assert check_invoice(pdf_file("facture.pdf"), application, 400_000) == ({"facturx": False}, [])


# --- flags ----------------------------------------------------------------------------------------


def test_an_invoice_from_another_company_is_flagged(application):
    invoice = invoice_for(application, seller_id="55203253400646")

    read, flags = check_invoice(invoice, application, 400_000)

    assert read["seller_siret"] == "55203253400646"
    assert flags == [
        f"La facture a été émise par une autre entreprise (SIRET 55203253400646) que le prestataire choisi "
        f"« {application.provider.name} » (SIRET {application.provider.siret})."
    ]


def test_a_siren_only_invoice_from_another_company_is_flagged(application):
    invoice = invoice_for(application, seller_id="552032534")

    _read, flags = check_invoice(invoice, application, 400_000)

    assert len(flags) == 1
    assert "autre entreprise (SIREN 552032534)" in flags[0]


def test_an_invoice_from_another_establishment_of_the_provider_is_flagged_as_such(application):
    other_establishment = application.provider.siren + "99999"

    _read, flags = check_invoice(
        invoice_for(application, seller_id=other_establishment), application, 400_000
    )

    assert len(flags) == 1
    assert "autre établissement" in flags[0]


def test_an_invoice_without_seller_identifier_is_flagged(application):
    _read, flags = check_invoice(invoice_for(application, seller_id=""), application, 400_000)

    assert flags == ["Le numéro SIREN ou SIRET du prestataire est absent des données Factur-X."]


def test_a_total_different_from_the_declared_amount_is_flagged(application):
    _read, flags = check_invoice(invoice_for(application, total_ht_cents=380_000), application, 400_000)

    assert flags == [
        "Le montant HT de la facture (3\u202f800 €) ne correspond pas au montant déclaré (4\u202f000 €)."
    ]


def test_a_total_above_the_planned_spend_of_the_voucher_is_flagged(application):
    _read, flags = check_invoice(invoice_for(application, total_ht_cents=450_000), application, 450_000)

    assert flags == [
        "Montant au-dessus du chèque : la facture (4\u202f500 € HT) dépasse la dépense prévue sur laquelle "
        "le chèque a été accordé (4\u202f000 € HT)."
    ]


@pytest.mark.parametrize(
    "issued, expected",
    [
        (
            DECIDED - timedelta(days=1),
            "La facture est datée du 01/03/2026, avant l'attribution du chèque le 02/03/2026",
        ),
        (
            VALID_UNTIL + timedelta(days=1),
            "La facture est datée du 30/08/2026, après la fin de validité du chèque",
        ),
    ],
)
def test_an_invoice_dated_outside_the_validity_of_the_voucher_is_flagged(issued, expected, application):
    _read, flags = check_invoice(invoice_for(application, issue_date=issued), application, 400_000)

    assert len(flags) == 1
    assert flags[0].startswith(expected)


@pytest.mark.parametrize("issued", [DECIDED, VALID_UNTIL])
def test_invoices_dated_on_the_first_and_last_day_of_validity_are_fine(issued, application):
    assert check_invoice(invoice_for(application, issue_date=issued), application, 400_000)[1] == []


def test_an_invoice_without_number_is_flagged(application):
    read, flags = check_invoice(invoice_for(application, number=None), application, 400_000)

    assert "number" not in read
    assert flags == ["Le numéro de la facture est absent des données Factur-X."]


def test_a_damaged_facturx_xml_is_flagged_not_a_crash(application):
    invoice = upload(pdf_with_attachment("factur-x.xml", b"<rsm:CrossIndustryInvoice><oops"))

    read, flags = check_invoice(invoice, application, 400_000)

    assert read == {"facturx": True, "readable": False}
    assert flags == [
        "La facture contient des données Factur-X illisibles (fichier XML endommagé) : "
        "elle doit être vérifiée à la main."
    ]


def test_electronic_invoice_data_in_another_format_is_flagged_for_a_manual_check(application):
    ubl = b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'/>"
    invoice = upload(pdf_with_attachment("xrechnung.xml", ubl))

    read, flags = check_invoice(invoice, application, 400_000)

    assert read == {"facturx": True, "readable": False}
    assert flags == [
        "Les données électroniques de la facture ne sont pas au format Factur-X (CII) : "
        "elle doit être vérifiée à la main."
    ]


def test_an_unrelated_xml_attachment_does_not_make_a_facturx_invoice(application):
    invoice = upload(pdf_with_attachment("notes.xml", b"<notes>livraison le 3 mai</notes>"))

    assert check_invoice(invoice, application, 400_000) == ({"facturx": False}, [])


def test_a_facturx_xml_outside_the_official_format_is_flagged_and_read_as_far_as_possible(application):
    xml = facturx_xml(seller_id=application.provider.siret, issue_date=date(2026, 5, 12))
    xml = xml.replace(b"<ram:TaxBasisTotalAmount>4000.00<", b"<ram:TaxBasisTotalAmount>quatre mille<")
    invoice = upload(pdf_with_attachment("factur-x.xml", xml))

    read, flags = check_invoice(invoice, application, 400_000)

    assert read["number"] == "F-2026-0042"
    assert "total_ht_cents" not in read
    assert flags == [
        "Les données Factur-X de la facture ne respectent pas le format officiel : "
        "vérifiez les montants et les mentions à la main.",
        "Le montant total HT est absent ou illisible dans les données Factur-X.",
    ]


# --- through the claim service --------------------------------------------------------------------


@pytest.fixture
def approved():
    scheme = scheme_with_budget()
    return approved_application(scheme, advisor_of_default_territory(), planned_spend_cents=400_000)


def submit_claim(application, invoice_bytes, invoiced_spend_cents=400_000):
    return services.submit_claim(
        application.owner,
        application,
        invoice=upload(invoice_bytes),
        proof_of_payment=pdf_file("virement.pdf"),
        invoiced_spend_cents=invoiced_spend_cents,
    )


def test_a_matching_facturx_claim_is_read_and_stored_without_flags(approved):
    invoice = facturx_pdf(seller_id=approved.provider.siret, number="FA-118", issue_date=timezone.localdate())

    claim = submit_claim(approved, invoice)

    claim.refresh_from_db()
    assert (claim.invoice_number, claim.invoice_date, claim.flags) == ("FA-118", timezone.localdate(), [])
    assert claim.facturx["date"] == timezone.localdate().isoformat()
    assert claim.facturx["total_ht_cents"] == 400_000
    assert claim.application.state == State.CLAIM_SUBMITTED
    with claim.invoice.open("rb") as stored:
        assert stored.read() == invoice


def test_a_mismatching_facturx_claim_is_submitted_with_every_reason(approved):
    invoice = facturx_pdf(
        seller_id="55203253400646",
        issue_date=approved.valid_until + timedelta(days=10),
        total_ht_cents=450_000,
    )

    claim = submit_claim(approved, invoice, invoiced_spend_cents=400_000)

    claim.refresh_from_db()
    late, other_company, amount_differs, above_voucher = claim.flags
    assert late.startswith(
        f"La facture est datée du {approved.valid_until + timedelta(days=10):%d/%m/%Y}, après"
    )
    assert "autre entreprise (SIRET 55203253400646)" in other_company
    assert amount_differs.startswith("Le montant HT de la facture (4\u202f500 €) ne correspond pas")
    assert above_voucher.startswith("Montant au-dessus du chèque")
    assert claim.facturx["seller_siret"] == "55203253400646"
    assert claim.application.state == State.CLAIM_SUBMITTED


def test_a_plain_pdf_claim_is_submitted_for_a_manual_check(approved):
    claim = submit_claim(approved, plain_pdf())

    claim.refresh_from_db()
    assert (claim.facturx, claim.flags, claim.invoice_number, claim.invoice_date) == (
        {"facturx": False},
        [],
        "",
        None,
    )


# --- what the advisor is told ---------------------------------------------------------------------

READ_AND_FINE = "La facture électronique (Factur-X) a été lue et ne présente pas d'anomalie."
PLAIN_PDF = "Cette facture est un PDF sans données électroniques (Factur-X)"


def advisor_page(client_for, application):
    response = client_for(advisor_of_default_territory()).get(
        reverse("vouchers:detail", args=[application.pk])
    )
    assert response.status_code == 200
    return response.content.decode()


def test_a_plain_pdf_claim_tells_the_advisor_to_check_it_by_hand(approved, client_for):
    submit_claim(approved, plain_pdf())

    body = advisor_page(client_for, approved)

    assert READ_AND_FINE not in body
    assert PLAIN_PDF in body
    assert "vérifiez à la main le prestataire" in body


def test_a_matching_facturx_claim_tells_the_advisor_it_was_read_without_discrepancy(approved, client_for):
    submit_claim(approved, facturx_pdf(seller_id=approved.provider.siret, issue_date=timezone.localdate()))

    body = advisor_page(client_for, approved)

    assert READ_AND_FINE in body
    assert PLAIN_PDF not in body


def test_a_mismatching_facturx_claim_tells_the_advisor_what_differs(approved, client_for):
    submit_claim(approved, facturx_pdf(seller_id="55203253400646", issue_date=timezone.localdate()))

    body = advisor_page(client_for, approved)

    assert "La facture électronique (Factur-X) a été lue : points à vérifier" in body
    assert "autre entreprise (SIRET 55203253400646)" in body
    assert READ_AND_FINE not in body and PLAIN_PDF not in body


def test_a_damaged_facturx_claim_is_not_called_read(approved, client_for):
    submit_claim(approved, pdf_with_attachment("factur-x.xml", b"<rsm:CrossIndustryInvoice"))

    body = advisor_page(client_for, approved)

    assert "Points à vérifier sur la facture" in body
    assert "données Factur-X illisibles" in body
    assert READ_AND_FINE not in body and "a été lue : points" not in body


def test_the_owner_is_not_shown_the_reading_of_the_invoice(approved, client_for):
    submit_claim(approved, plain_pdf())

    body = client_for(approved.owner).get(reverse("vouchers:detail", args=[approved.pk])).content.decode()

    assert PLAIN_PDF not in body and READ_AND_FINE not in body
