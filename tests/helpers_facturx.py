"""Build real Factur-X invoices in tests: a CII XML embedded in a WeasyPrint PDF by the factur-x library.

factur-x ships no sample PDFs, so tests make their own. The XML goes through the library's XSD check
(on by default in `generate_from_binary`), so a helper that builds an invalid invoice fails loudly.
"""

import gc
import warnings
from datetime import date
from decimal import Decimal
from functools import lru_cache
from html import escape
from io import BytesIO

import facturx
import weasyprint
from lxml import etree
from pypdf import PdfReader, PdfWriter

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}
GUIDELINES = {
    "minimum": "urn:factur-x.eu:1p0:minimum",
    "basicwl": "urn:factur-x.eu:1p0:basicwl",
}


def _euros(cents: int) -> str:
    return str((Decimal(cents) / 100).quantize(Decimal("0.01")))


def _el(parent, tag, text=None, **attrs):
    prefix, name = tag.split(":")
    node = etree.SubElement(parent, f"{{{NS[prefix]}}}{name}", **attrs)
    if text is not None:
        node.text = text
    return node


def _legal_id_scheme(identifier: str) -> str:
    # ISO 6523 codes used by the French rules: 0002 = SIREN, 0009 = SIRET.
    return "0009" if len(identifier) == 14 else "0002"


def facturx_xml(
    *,
    seller_id="73282932000074",
    seller_name="Agence Web Lyonnaise",
    buyer_name="Boulangerie Martin",
    number="F-2026-0042",
    issue_date=None,
    total_ht_cents=400_000,
    vat_rate=Decimal("20"),
    currency="EUR",
    profile="minimum",
) -> bytes:
    """A CII invoice XML (profile MINIMUM or BASIC WL). Set `number=None` to leave the number empty."""
    issue_date = issue_date or date.today()
    vat_cents = int((Decimal(total_ht_cents) * Decimal(vat_rate) / 100).quantize(Decimal("1")))
    root = etree.Element(f"{{{NS['rsm']}}}CrossIndustryInvoice", nsmap=NS)

    context = _el(root, "rsm:ExchangedDocumentContext")
    _el(_el(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", GUIDELINES[profile])

    document = _el(root, "rsm:ExchangedDocument")
    _el(document, "ram:ID", number or "")
    _el(document, "ram:TypeCode", "380")
    _el(_el(document, "ram:IssueDateTime"), "udt:DateTimeString", issue_date.strftime("%Y%m%d"), format="102")

    transaction = _el(root, "rsm:SupplyChainTradeTransaction")
    agreement = _el(transaction, "ram:ApplicableHeaderTradeAgreement")
    seller = _el(agreement, "ram:SellerTradeParty")
    _el(seller, "ram:Name", seller_name)
    if seller_id:
        organisation = _el(seller, "ram:SpecifiedLegalOrganization")
        _el(organisation, "ram:ID", seller_id, schemeID=_legal_id_scheme(seller_id))
    _el(_el(seller, "ram:PostalTradeAddress"), "ram:CountryID", "FR")
    _el(_el(seller, "ram:SpecifiedTaxRegistration"), "ram:ID", "FR32123456789", schemeID="VA")
    buyer = _el(agreement, "ram:BuyerTradeParty")
    _el(buyer, "ram:Name", buyer_name)

    _el(transaction, "ram:ApplicableHeaderTradeDelivery")
    settlement = _el(transaction, "ram:ApplicableHeaderTradeSettlement")
    _el(settlement, "ram:InvoiceCurrencyCode", currency)
    if profile == "basicwl":
        tax = _el(settlement, "ram:ApplicableTradeTax")
        _el(tax, "ram:CalculatedAmount", _euros(vat_cents))
        _el(tax, "ram:TypeCode", "VAT")
        _el(tax, "ram:BasisAmount", _euros(total_ht_cents))
        _el(tax, "ram:CategoryCode", "S")
        _el(tax, "ram:RateApplicablePercent", str(Decimal(vat_rate).quantize(Decimal("0.01"))))
    totals = _el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    if profile == "basicwl":
        _el(totals, "ram:LineTotalAmount", _euros(total_ht_cents))
    _el(totals, "ram:TaxBasisTotalAmount", _euros(total_ht_cents))
    _el(totals, "ram:TaxTotalAmount", _euros(vat_cents), currencyID=currency)
    _el(totals, "ram:GrandTotalAmount", _euros(total_ht_cents + vat_cents))
    _el(totals, "ram:DuePayableAmount", _euros(total_ht_cents + vat_cents))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@lru_cache(maxsize=32)
def _visible_pdf(seller_name, number, issue_date, total_ht_cents) -> bytes:
    # Rendering is the slow part; the same visible invoice is reused across tests.
    html = (
        "<html lang='fr'><body>"
        f"<h1>Facture {escape(number or '')}</h1>"
        f"<p>{escape(seller_name)}, le {issue_date:%d/%m/%Y}</p>"
        f"<p>Total HT : {_euros(total_ht_cents)} EUR</p>"
        "</body></html>"
    )
    # WeasyPrint 70 leaves its sRGB profile file open when writing PDF/A (ResourceWarning when the
    # document is collected); collect it here, with only that warning silenced.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        pdf = weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/a-3b")
        gc.collect()
    return pdf


def facturx_pdf(**params) -> bytes:
    """A Factur-X PDF invoice; takes the parameters of `facturx_xml`."""
    xml = facturx_xml(**params)
    issue_date = params.get("issue_date") or date.today()
    pdf = _visible_pdf(
        params.get("seller_name", "Agence Web Lyonnaise"),
        params.get("number", "F-2026-0042"),
        issue_date,
        params.get("total_ht_cents", 400_000),
    )
    return facturx.generate_from_binary(pdf, xml, check_xsd=True, lang="fr-FR")


def pdf_with_attachment(filename: str, content: bytes) -> bytes:
    """A PDF carrying an arbitrary attachment, e.g. a damaged factur-x.xml the library would refuse."""
    writer = PdfWriter(clone_from=PdfReader(BytesIO(_visible_pdf("Agence", "X", date(2026, 1, 1), 0))))
    writer.add_attachment(filename, content)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def plain_pdf() -> bytes:
    return _visible_pdf("Agence Web Lyonnaise", "F-2026-0042", date(2026, 1, 1), 400_000)
