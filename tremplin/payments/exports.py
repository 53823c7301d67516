"""The columns of the payment exports (programme managers and auditors only, as the pages)."""

from django.utils.translation import gettext_lazy as _

from tremplin.core.exports import Column

BATCH_COLUMNS = [
    Column(_("Lot"), "message_id"),
    Column(_("Dispositif"), "scheme.name"),
    Column(_("État"), lambda batch: batch.get_state_display()),
    Column(_("Préparé le"), "created_at"),
    Column(_("Préparé par"), lambda batch: batch.created_by.get_full_name() or batch.created_by.email),
    Column(_("Exécution demandée le"), "execution_date"),
    Column(_("Payé le"), "paid_at"),
    Column(_("Annulé le"), "cancelled_at"),
    Column(_("Virements"), "line_count"),
    Column(_("Total"), "total_cents", euros=True),
]

LINE_COLUMNS = [
    Column(_("Virement"), "end_to_end_id"),
    Column(_("Dossier"), "application.reference"),
    Column(_("Entreprise"), "application.company.display_name"),
    Column(_("Bénéficiaire"), "creditor_name"),
    Column("IBAN", "creditor_iban"),
    Column(_("Libellé du virement"), "remittance_info"),
    Column(_("Montant"), "amount_cents", euros=True),
]
