from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tremplin.core.errors import ServiceError
from tremplin.core.forms import DsfrForm
from tremplin.core.validators import clean_siren_or_siret
from tremplin.registry.lookup import find_company


class CompanyLookupForm(DsfrForm):
    """A SIREN or a SIRET, looked up in the registry: the company is in `form.company` once valid.

    The anonymous eligibility check of the home page asks it.
    """

    siren = forms.CharField(
        label=_("Numéro SIREN ou SIRET de l'entreprise"),
        help_text=_(
            "9 chiffres (SIREN) ou 14 chiffres (SIRET). Vous le trouvez sur vos factures "
            "ou sur votre extrait Kbis. Exemple : 732 829 320"
        ),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("Indiquez le numéro SIREN ou SIRET de l'entreprise.")},
    )

    def clean_siren(self):
        try:
            siren, _siret = clean_siren_or_siret(self.cleaned_data["siren"], field="siren")
        except ServiceError as error:
            raise forms.ValidationError(gettext(error.message), code=error.code) from None
        company = find_company(siren)
        if company is None:
            raise forms.ValidationError(
                _(
                    "Nous ne trouvons pas ce numéro dans le répertoire SIRENE. Vérifiez-le sur une facture "
                    "ou sur l'annuaire des entreprises. Si votre entreprise vient d'être créée, "
                    "elle apparaîtra dans quelques semaines."
                ),
                code="unknown_siren",
            )
        if not company.is_active:
            raise forms.ValidationError(
                _(
                    "Cette entreprise est déclarée cessée au répertoire SIRENE : elle ne peut pas "
                    "recevoir le chèque numérique. Si c'est une erreur, contactez l'Insee pour "
                    "mettre à jour votre situation."
                ),
                code="ceased",
            )
        self.company = company
        return siren
