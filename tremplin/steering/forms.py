from django import forms
from django.utils.translation import gettext_lazy as _

from tremplin.core.forms import DsfrForm
from tremplin.schemes.models import Scheme

MEASURES = [
    ("beneficiaries", _("Bénéficiaires d'un chèque")),
    ("reached", _("Entreprises touchées par le programme")),
]


class ReachForm(DsfrForm):
    """The reach page's choices: which scheme's eligible population, and which figure the map shows.

    Both may be left out: the most recently opened scheme and its beneficiaries are shown.
    """

    dispositif = forms.ModelChoiceField(
        label=_("Dispositif"),
        queryset=Scheme.objects.order_by("-window_opens_at", "pk"),
        to_field_name="slug",
        required=False,
        empty_label=None,
        help_text=_("Les entreprises éligibles sont comptées selon les règles de ce dispositif."),
        error_messages={"invalid_choice": _("Ce dispositif n'existe pas : choisissez-en un dans la liste.")},
    )
    mesure = forms.ChoiceField(
        label=_("Ce que montre la carte"),
        choices=MEASURES,
        required=False,
        error_messages={"invalid_choice": _("Choisissez dans la liste ce que la carte montre.")},
    )
