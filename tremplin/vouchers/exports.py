"""The columns of the files' exports: what the list pages show, never bank data."""

from django.utils.translation import gettext_lazy as _

from tremplin.core.exports import Column
from tremplin.vouchers import assignment

FILE_COLUMNS = [
    Column(_("Dossier"), "reference"),
    Column(_("Entreprise"), "company.display_name"),
    Column("SIREN", "company.siren"),
    Column(_("Département"), "company.departement_id"),
    Column(_("Dispositif"), "scheme.name"),
    Column(_("État"), lambda app: app.get_state_display()),
    Column(_("Montant du chèque"), "amount_cents", euros=True),
    Column(_("Créé le"), "created_at"),
    Column(_("Déposé le"), "submitted_at"),
    Column(_("Décidé le"), "decided_at"),
    Column(_("Valable jusqu'au"), "valid_until"),
]

CLAIM_COLUMNS = [
    Column(_("Dossier"), "reference"),
    Column(_("Entreprise"), "company.display_name"),
    Column("SIREN", "company.siren"),
    Column(_("Dispositif"), "scheme.name"),
    Column(_("État du dossier"), lambda app: app.get_state_display()),
    Column(_("Numéro de facture"), "claim.invoice_number"),
    Column(_("Date de facture"), "claim.invoice_date"),
    Column(_("Montant facturé HT"), "claim.invoiced_spend_cents", euros=True),
    Column(_("Montant à payer"), "claim.payable_cents", euros=True),
    Column(_("Demande déposée le"), "claim.submitted_at"),
    Column(_("Demande validée le"), "claim.approved_at"),
]


def queue_columns(today):
    return [
        Column(_("Dossier"), "reference"),
        Column(_("Entreprise"), "company.display_name"),
        Column("SIREN", "company.siren"),
        Column(_("Département"), "company.departement.name"),
        Column(_("Dispositif"), "scheme.name"),
        Column(_("État"), lambda app: app.get_state_display()),
        Column(_("Montant"), "amount_cents", euros=True),
        Column(_("Déposé le"), "submitted_at"),
        Column(_("Ancienneté (jours)"), lambda app: assignment.age_days(app, today)),
        Column(_("Hors délai"), lambda app: assignment.is_overdue(app, today)),
        Column(_("Échéance"), "valid_until"),
        Column(_("Suivi par"), lambda app: app.assigned_advisor and app.assigned_advisor.get_full_name()),
    ]
