"""Read and check a claim's invoice when it carries Factur-X data.

A Factur-X invoice is a PDF with a machine-readable CII XML attached. When one is found we read the
invoice number, date, seller identifier and totals, and compare them with the file. Each failed check
becomes a plain-French sentence (a "flag") that the advisor sees during the claim review; a flag never
blocks the claim by itself. A plain PDF is fine: it is checked by hand.

The schematron check of the factur-x library needs a remote server, so only the XSD is checked here.
"""

import logging
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from io import BytesIO

import facturx
from django.utils import timezone
from lxml import etree
from pypdf import PdfReader

from tremplin.core.formatting import euros

logger = logging.getLogger(__name__)

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
# Names under which Factur-X / ZUGFeRD 2 / XRechnung data is attached to a PDF.
FACTURX_ATTACHMENTS = {"factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml"}
NUMBER_MAX_LENGTH = 64  # Claim.invoice_number

UNREADABLE = (
    "La facture contient des données Factur-X illisibles (fichier XML endommagé) : "
    "elle doit être vérifiée à la main."
)


def check_invoice(invoice, application, invoiced_spend_cents):
    """Return (read, flags) for an uploaded invoice PDF.

    `read` is JSON-serialisable except `date` (a `datetime.date`); `flags` lists the failed checks.
    """
    data = _read_bytes(invoice)
    try:
        xml_bytes = _embedded_xml(data)
    except _Unreadable:
        return {"facturx": True, "readable": False}, [UNREADABLE]
    except Exception:  # a PDF that pypdf cannot open: leave it to the advisor
        logger.info("Invoice PDF could not be opened to look for Factur-X data", exc_info=True)
        return {"facturx": False}, []
    if xml_bytes is None:
        return {"facturx": False}, []
    try:
        root = etree.fromstring(xml_bytes, parser=_parser())
    except etree.XMLSyntaxError:
        return {"facturx": True, "readable": False}, [UNREADABLE]

    if root.tag != f"{{{NS['rsm']}}}CrossIndustryInvoice":
        # UBL (XRechnung) or ZUGFeRD 1.0 data: real, but not what we read.
        return {"facturx": True, "readable": False}, [
            "Les données électroniques de la facture ne sont pas au format Factur-X (CII) : "
            "elle doit être vérifiée à la main."
        ]

    flags = []
    read = {"facturx": True, "readable": True}
    try:
        read["profile"] = facturx.get_level(root)
        facturx.xml_check_xsd(root, level=read["profile"])
    except Exception:
        logger.info("Factur-X XML does not pass the XSD", exc_info=True)
        flags.append(
            "Les données Factur-X de la facture ne respectent pas le format officiel : "
            "vérifiez les montants et les mentions à la main."
        )

    _read_number(root, read, flags)
    _read_date(root, read, flags, application)
    _read_seller(root, read, flags, application)
    _read_totals(root, read, flags, application, invoiced_spend_cents)
    return read, flags


class _Unreadable(Exception):
    pass


def _parser():
    # The XML comes from whoever made the invoice: no entities, no DTD, no network.
    return etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)


def _read_bytes(upload) -> bytes:
    # The caller saves the same upload right after: put the cursor back where it was.
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    data = upload.read()
    upload.seek(position)
    return data


def _embedded_xml(pdf_bytes: bytes) -> bytes | None:
    """The CII XML of the PDF, or None for a plain PDF; _Unreadable when it is there but broken."""
    # The XSD is checked separately, so that an invalid file is flagged instead of silently skipped.
    _filename, xml_bytes = facturx.get_xml_from_pdf(
        pdf_bytes, check_xsd=False, filenames=sorted(FACTURX_ATTACHMENTS)
    )
    if xml_bytes:
        return xml_bytes
    # The library skips attachments it cannot parse; an attachment with a Factur-X name that it
    # skipped means the data is there but damaged.
    names = {attachment.name.lower() for attachment in PdfReader(BytesIO(pdf_bytes)).attachment_list}
    if names & FACTURX_ATTACHMENTS:
        raise _Unreadable
    return None


def _text(root, path) -> str:
    found = root.xpath(path, namespaces=NS)
    if not found:
        return ""
    node = found[0]
    return (node if isinstance(node, str) else node.text or "").strip()


def _read_number(root, read, flags):
    number = _text(root, "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID")
    if not number:
        flags.append("Le numéro de la facture est absent des données Factur-X.")
        return
    read["number"] = number[:NUMBER_MAX_LENGTH]


def _read_date(root, read, flags, application):
    path = "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString"
    raw = _text(root, path)
    fmt = _text(root, path + "/@format") or "102"
    try:
        if fmt != "102":
            raise ValueError(fmt)
        issued = datetime.strptime(raw, "%Y%m%d").date()
    except ValueError:
        flags.append("La date de la facture est absente ou illisible dans les données Factur-X.")
        return
    read["date"] = issued

    starts = timezone.localdate(application.decided_at) if application.decided_at else None
    ends = application.valid_until
    if starts and issued < starts:
        flags.append(
            f"La facture est datée du {issued:%d/%m/%Y}, avant l'attribution du chèque "
            f"le {starts:%d/%m/%Y} : la dépense doit être faite pendant la validité du chèque."
        )
    elif ends and issued > ends:
        flags.append(
            f"La facture est datée du {issued:%d/%m/%Y}, après la fin de validité du chèque "
            f"le {ends:%d/%m/%Y}."
        )


def _read_seller(root, read, flags, application):
    seller = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
    seller += "/ram:SellerTradeParty"
    read["seller_name"] = _text(root, seller + "/ram:Name")
    identifier, read["seller_id_scheme"] = _seller_identifier(root, seller)
    provider = application.provider
    if not identifier:
        flags.append("Le numéro SIREN ou SIRET du prestataire est absent des données Factur-X.")
        return
    if len(identifier) == 14:
        read["seller_siret"] = identifier
        read["seller_siren"] = identifier[:9]
    else:
        read["seller_siren"] = identifier
    if provider is None:
        return
    if "seller_siret" in read:
        if read["seller_siret"] == provider.siret:
            return
        if read["seller_siren"] == provider.siren:
            flags.append(
                f"La facture a été émise par un autre établissement (SIRET {read['seller_siret']}) "
                f"que celui du prestataire choisi « {provider.name} » (SIRET {provider.siret})."
            )
            return
        flags.append(
            f"La facture a été émise par une autre entreprise (SIRET {read['seller_siret']}) "
            f"que le prestataire choisi « {provider.name} » (SIRET {provider.siret})."
        )
    elif read["seller_siren"] != provider.siren:
        flags.append(
            f"La facture a été émise par une autre entreprise (SIREN {read['seller_siren']}) "
            f"que le prestataire choisi « {provider.name} » (SIREN {provider.siren})."
        )


def _seller_identifier(root, seller) -> tuple[str, str]:
    """(digits, declared ISO 6523 scheme: 0002 SIREN, 0009 SIRET) from the legal organisation ID,
    else from a global ID."""
    for path in (seller + "/ram:SpecifiedLegalOrganization/ram:ID", seller + "/ram:GlobalID"):
        for node in root.xpath(path, namespaces=NS):
            scheme = node.get("schemeID", "")
            digits = "".join((node.text or "").split())
            # The length decides, whatever scheme was declared: 9 digits SIREN, 14 SIRET.
            if digits.isdigit() and len(digits) in (9, 14):
                return digits, scheme
    return "", ""


def _cents(raw: str) -> int | None:
    try:
        value = Decimal(raw)
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite():
        return None
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _read_totals(root, read, flags, application, invoiced_spend_cents):
    totals = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
    currency = _text(root, totals + "/ram:InvoiceCurrencyCode")
    totals += "/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    if currency:
        read["currency"] = currency
        if currency != "EUR":
            flags.append(
                f"La facture est établie en {currency} : seules les factures en euros sont acceptées."
            )
    grand_total = _cents(_text(root, totals + "/ram:GrandTotalAmount"))
    if grand_total is not None:
        read["grand_total_cents"] = grand_total
    total_ht = _cents(_text(root, totals + "/ram:TaxBasisTotalAmount"))
    if total_ht is None:
        flags.append("Le montant total HT est absent ou illisible dans les données Factur-X.")
        return
    read["total_ht_cents"] = total_ht
    if total_ht != invoiced_spend_cents:
        flags.append(
            f"Le montant HT de la facture ({euros(total_ht)}) ne correspond pas au montant "
            f"déclaré ({euros(invoiced_spend_cents)})."
        )
    planned = application.planned_spend_cents
    if planned is not None and total_ht > planned:
        flags.append(
            f"Montant au-dessus du chèque : la facture ({euros(total_ht)} HT) dépasse la dépense "
            f"prévue sur laquelle le chèque a été accordé ({euros(planned)} HT)."
        )
