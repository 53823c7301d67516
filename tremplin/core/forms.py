from django.utils.translation import gettext_noop
from dsfr.forms import DsfrBaseForm, DsfrBoundField


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
    """

    bound_field_class = BoundField

    def get_context(self):
        context = super(DsfrBaseForm, self).get_context()
        context.setdefault("DSFR_MARK_OPTIONAL_FIELDS", False)
        return context


# The identifier checks live in core.validators with French messages; these markers
# let makemessages pick them up so gettext() can show them in English too.
VALIDATOR_MESSAGES = [
    gettext_noop("Le numéro SIREN doit comporter 9 chiffres."),
    gettext_noop("Ce numéro SIREN n'existe pas : vérifiez les 9 chiffres (clé de contrôle invalide)."),
    gettext_noop("Le numéro SIRET doit comporter 14 chiffres."),
    gettext_noop("Ce numéro SIRET n'existe pas : vérifiez les 14 chiffres (clé de contrôle invalide)."),
]
