from django import forms
from django.utils.translation import gettext_lazy as _

from tremplin.core.forms import DsfrForm
from tremplin.schemes.models import Scheme


class CreateBatchForm(forms.Form):
    scheme = forms.ModelChoiceField(
        queryset=Scheme.objects.all(),
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": _("Ce dispositif n'existe pas."),
            "required": _("Choisissez le dispositif."),
        },
    )


class MarkPaidForm(DsfrForm):
    confirm = forms.BooleanField(
        label=_(
            "Je confirme que la banque a exécuté ce fichier de virements. Chaque dossier du lot sera noté payé."
        ),
        error_messages={"required": _("Cochez la case pour confirmer le paiement.")},
    )


class CancelBatchForm(DsfrForm):
    reason = forms.CharField(
        label=_("Pourquoi annuler ce lot ?"),
        help_text=_(
            "Exemple : « IBAN corrigé, un nouveau lot sera préparé. » Les dossiers reviendront dans la "
            "liste des paiements à préparer."
        ),
        max_length=500,
        error_messages={"required": _("Indiquez pourquoi le lot est annulé.")},
    )
