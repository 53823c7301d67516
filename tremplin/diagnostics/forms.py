"""Forms of the diagnostic pages: they parse what people send; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tremplin.accounts.models import Role, User
from tremplin.core.forms import DsfrForm
from tremplin.diagnostics.questionnaire import AREAS, RATINGS, TICKS, TICKS_EXCLUSIVE, TRISTATE
from tremplin.registry.forms import clean_company_identifier

# Q1: one choice per business area, read back as the two lists of the stored answer.
AREA_CHOICES = [
    ("none", _("Rien pour l'instant")),
    ("planned", _("Prévu")),
    ("invested", _("Déjà fait")),
    ("both", _("Déjà fait, et d'autres achats prévus")),
]


class StartForm(DsfrForm):
    identifier = forms.CharField(
        label=_("Numéro SIREN ou SIRET de l'entreprise"),
        help_text=_(
            "9 chiffres (SIREN) ou 14 chiffres (SIRET). Vous le trouvez sur vos factures ou sur "
            "l'extrait Kbis. Exemple : 732 829 320"
        ),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("Indiquez le numéro SIREN ou SIRET de l'entreprise.")},
    )
    owner_email = forms.EmailField(
        label=_("Adresse électronique du chef d'entreprise (facultatif)"),
        help_text=_(
            "S'il a déjà un compte sur Tremplin Numérique, il retrouvera ce diagnostic dans son espace. "
            "Exemple : prenom.nom@exemple.fr"
        ),
        required=False,
    )
    service_fields = {"siren": "identifier"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.company = None
        self.owner = None
        if user.role != Role.ADVISOR:
            del self.fields["owner_email"]

    def clean_identifier(self):
        self.company, _establishment = clean_company_identifier(self.cleaned_data["identifier"], "identifier")
        return self.company.siren

    def clean_owner_email(self):
        email = (self.cleaned_data.get("owner_email") or "").lower()
        if email:
            self.owner = User.objects.filter(email=email, role=Role.OWNER).first()
            if self.owner is None:
                raise forms.ValidationError(
                    _(
                        "Aucun chef d'entreprise n'a de compte avec cette adresse. Laissez la case vide : "
                        "vous pourrez lui remettre le rapport en PDF."
                    ),
                    code="unknown_owner",
                )
        return email


def _rating(value):
    return int(value) if value.isdigit() and len(value) < 3 else value


def answers_from_post(dimension, data):
    """The answers of one screen as the service expects them; what was not touched is left out."""
    answers = {}
    for question in dimension.questions:
        qid = question.id
        if question.kind == AREAS:
            values = {item: data.get(f"{qid}-{item}", "") for item in question.item_ids}
            if not any(values.values()):
                continue
            answers[qid] = {
                "invested": [i for i, v in values.items() if v in ("invested", "both")],
                "planned": [i for i, v in values.items() if v in ("planned", "both")],
            }
        elif question.kind in (TICKS, TICKS_EXCLUSIVE):
            # An empty list is an answer ("none of these"): the screen was submitted.
            answers[qid] = data.getlist(qid)
        elif question.kind in (RATINGS, TRISTATE):
            values = {item: data.get(f"{qid}-{item}") for item in question.item_ids}
            given = {item: v for item, v in values.items() if v not in (None, "")}
            if not given:
                continue
            answers[qid] = {item: _rating(v) if question.kind == RATINGS else v for item, v in given.items()}
    return answers


def initial_values(question, answer):
    """The stored answer as the values of the screen's inputs (to show it again)."""
    if answer is None:
        return {}
    if question.kind == AREAS:
        values = {}
        for item in question.item_ids:
            invested, planned = item in answer["invested"], item in answer["planned"]
            values[item] = (
                "both"
                if invested and planned
                else "invested"
                if invested
                else "planned"
                if planned
                else "none"
            )
        return values
    if question.kind in (TICKS, TICKS_EXCLUSIVE):
        return {item: True for item in answer}
    return {item: str(value) for item, value in answer.items()}
