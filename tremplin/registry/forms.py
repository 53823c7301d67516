from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tremplin.core.errors import ServiceError
from tremplin.core.forms import DsfrForm
from tremplin.registry.lookup import company_for


def clean_company_identifier(value, field, *, establishment=False):
    """`lookup.company_for()` for a form field: its refusal becomes the field's error, in the page's language."""
    try:
        return company_for(value, field, establishment=establishment)
    except ServiceError as error:
        raise forms.ValidationError(gettext(error.message), code=error.code) from None


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
        self.company, _establishment = clean_company_identifier(self.cleaned_data["siren"], "siren")
        return self.company.siren
