"""The columns of the providers' exports: what the directory, the accreditation list and a provider's
page show (no bank data, no reviewer's name)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tremplin.core.exports import Column


def directory_columns(absolute):
    """`absolute`: the request's `build_absolute_uri`, for the provider's page address."""
    return [
        Column(_("Prestataire"), "name"),
        Column(_("Commune"), "city"),
        Column(_("Département"), "departement_id"),
        Column(_("Note moyenne sur 5"), "rating_avg"),
        Column(_("Nombre d'avis"), "rating_count"),
        Column(_("Fiche"), lambda provider: absolute(reverse("providers:detail", args=[provider.pk]))),
    ]


ACCREDITATION_COLUMNS = [
    Column(_("Prestataire"), "name"),
    Column("SIRET", "siret"),
    Column(_("Commune"), "city"),
    Column(_("Département"), "departement_id"),
    Column(_("Habilitation"), "status_label"),
    Column(_("Depuis le"), "status_changed_at"),
    Column(_("Documents valables jusqu'au"), "documents_valid_until"),
]


def review_columns(with_state):
    """`with_state`: the page shows hidden reviews too (to the programme and the provider), marked."""
    columns = [
        Column(_("Date"), "created_at"),
        Column(_("Qualité (sur 5)"), "quality"),
        Column(_("Délais (sur 5)"), "deadlines"),
        Column(_("Écoute (sur 5)"), "communication"),
        Column(_("Avis"), "text"),
        Column(_("Réponse du prestataire"), "answer"),
    ]
    if with_state:
        columns.append(Column(_("État"), lambda review: review.get_state_display()))
    return columns
