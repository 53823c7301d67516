from django import forms

from tremplin.schemes.models import Scheme
from tremplin.vouchers.forms import DsfrForm


class CreateBatchForm(forms.Form):
    scheme = forms.ModelChoiceField(
        queryset=Scheme.objects.all(),
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": "Ce dispositif n'existe pas.",
            "required": "Choisissez le dispositif.",
        },
    )


class MarkPaidForm(DsfrForm):
    confirm = forms.BooleanField(
        label="Je confirme que la banque a exécuté ce fichier de virements. Chaque dossier du lot sera noté payé.",
        error_messages={"required": "Cochez la case pour confirmer le paiement."},
    )


class CancelBatchForm(DsfrForm):
    reason = forms.CharField(
        label="Pourquoi annuler ce lot ?",
        help_text="Exemple : « IBAN corrigé, un nouveau lot sera préparé. » Les dossiers reviendront dans la "
        "liste des paiements à préparer.",
        max_length=500,
        error_messages={"required": "Indiquez pourquoi le lot est annulé."},
    )
