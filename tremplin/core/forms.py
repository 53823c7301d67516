import re

from django import forms
from django.utils.translation import gettext, gettext_noop
from dsfr.forms import DsfrBaseForm, DsfrBoundField

from tremplin.core.errors import ServiceError
from tremplin.core.formatting import parse_euros


class BoundField(DsfrBoundField):
    def build_widget_attrs(self, attrs, widget=None):
        """Point the input to its error *and* its hint (django-dsfr keeps only the error)."""
        attrs = super().build_widget_attrs(attrs, widget)
        described_by = []
        if self.form.is_bound and self.errors:
            described_by.append(f"{self.auto_id}-desc-error")
        if self.help_text:
            # Radio and checkbox groups have no single input id: their hint is named after the field.
            described_by.append(f"{self.id_for_label or self.auto_id}_helptext")
        if described_by:
            attrs["aria-describedby"] = " ".join(described_by)
        return attrs


class DsfrForm(DsfrBaseForm):
    """Base of our forms: `{{ form }}` renders them with the DSFR field templates.

    DsfrBaseForm.get_context() warns on every render about its transitional
    DSFR_MARK_OPTIONAL_FIELDS setting, and our warnings are errors: we skip it and
    keep the current marking (a "*" on required fields).
    Mix it in after a Django form: `class LoginForm(AuthenticationForm, DsfrForm)`.

    A DSFR upload input (class "fr-upload") sits in its upload group.
    A service's refusal goes on the form with `add_service_error(error)`: on the field it names,
    else on the whole form. `service_fields` maps the service's name of a field to the form's
    (`{"amount_cents": "amount"}`) where they differ.
    """

    bound_field_class = BoundField
    service_fields = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if "fr-upload" in field.widget.attrs.get("class", "").split():
                field.widget.group_class = "fr-upload-group"

    def get_context(self):
        context = super(DsfrBaseForm, self).get_context()
        context.setdefault("DSFR_MARK_OPTIONAL_FIELDS", False)
        return context

    def add_service_error(self, error: ServiceError):
        """Show a service's refusal where it belongs, in the page's language when the catalogue has it."""
        name = self.service_fields.get(error.field, error.field)
        message = gettext(error.msgid) % error.params if error.params else gettext(error.message)
        self.add_error(name if name in self.fields else None, message)


ZERO = re.compile(r"^0+([.,]0*)?$")


class EurosField(forms.CharField):
    """An amount typed in euros ("1 500" or "1 500,50"), cleaned to integer cents (None when empty).

    `allow_zero=True` accepts "0" (a declared amount); otherwise the amount must be positive.
    """

    def __init__(self, *, allow_zero=False, **kwargs):
        self.allow_zero = allow_zero
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def clean(self, value):
        # The text is checked as text first (required, max_length), then read as an amount.
        value = super().clean(value)
        if value in self.empty_values:
            return None
        if self.allow_zero and ZERO.match(re.sub(r"[\s\u202f\xa0€]", "", value)):
            return 0
        try:
            return parse_euros(value)
        except ValueError as exc:
            raise forms.ValidationError(gettext(str(exc)), code="invalid_amount") from None


# The identifier checks live in core.validators with French messages; these markers
# let makemessages pick them up so gettext() can show them in English too.
VALIDATOR_MESSAGES = [
    gettext_noop("Le numéro SIREN doit comporter 9 chiffres."),
    gettext_noop("Ce numéro SIREN n'existe pas : vérifiez les 9 chiffres (clé de contrôle invalide)."),
    gettext_noop("Le numéro SIRET doit comporter 14 chiffres."),
    gettext_noop("Ce numéro SIRET n'existe pas : vérifiez les 14 chiffres (clé de contrôle invalide)."),
]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files in one `<input type="file" multiple>`, cleaned to a list (the service checks them)."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"class": "fr-upload", "accept": "application/pdf,image/png,image/jpeg"}),
        )
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        files = data if isinstance(data, list | tuple) else [data]
        return [cleaned for cleaned in (single(item, initial) for item in files) if cleaned]


class PdfField(forms.FileField):
    """A PDF upload in the DSFR upload style (the content is checked by the service, not the name)."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", forms.ClearableFileInput(attrs={"class": "fr-upload", "accept": "application/pdf,.pdf"})
        )
        super().__init__(**kwargs)
