"""Forms of who acts for a company: they parse what people type; tremplin.authority.services decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tremplin.authority.models import Capacity, Mandate
from tremplin.core.forms import DsfrForm, PdfField

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DeclarationForm(DsfrForm):
    """Who one is and in what capacity one acts: checked against the business register."""

    capacity = forms.ChoiceField(
        label=_("À quel titre agissez-vous pour cette entreprise ?"),
        choices=Capacity.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Indiquez à quel titre vous agissez pour l'entreprise.")},
    )
    given_names = forms.CharField(
        label=_("Vos prénoms"),
        help_text=_("Tous vos prénoms, comme sur votre pièce d'identité. Exemple : Camille Marie."),
        max_length=150,
        error_messages={"required": _("Indiquez vos prénoms, comme sur votre pièce d'identité.")},
    )
    family_name = forms.CharField(
        label=_("Votre nom de famille"),
        help_text=_("Le nom de naissance, comme au registre des entreprises."),
        max_length=150,
        error_messages={"required": _("Indiquez votre nom de famille, comme sur votre pièce d'identité.")},
    )
    birth_date = forms.DateField(
        label=_("Votre date de naissance"),
        help_text=_(
            "Le registre des entreprises l'indique : elle sert à vous reconnaître. Exemple : 12/04/1980."
        ),
        widget=DATE_INPUT,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "required": _("Indiquez votre date de naissance."),
            "invalid": _("Indiquez une date valide, par exemple 12/04/1980."),
        },
    )


class DocumentsForm(DsfrForm):
    """The fallback when the register cannot tell: an extract under 3 months and a signed statement."""

    register_extract = PdfField(
        label=_("Extrait du registre des entreprises de moins de 3 mois"),
        help_text=_(
            "Un extrait Kbis, ou l'extrait du registre national des entreprises, gratuit sur data.inpi.fr. "
            "Au format PDF, 10 Mo au plus."
        ),
        required=False,
    )
    extract_issued_on = forms.DateField(
        label=_("Date de l'extrait"),
        help_text=_("Elle figure en haut de l'extrait. Exemple : 02/11/2026."),
        required=False,
        widget=DATE_INPUT,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": _("Indiquez une date valide, par exemple 02/11/2026.")},
    )
    statement = PdfField(
        label=_("Attestation signée"),
        help_text=_(
            "Téléchargez le modèle ci-dessus, imprimez-le, signez-le (le représentant légal le signe si vous "
            "agissez pour lui), puis déposez-le scanné ou photographié, au format PDF."
        ),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if not any(data.get(name) for name in ("register_extract", "statement", "extract_issued_on")):
            raise forms.ValidationError(_("Ajoutez au moins une des deux pièces."))
        return data


class ChecklistForm(DsfrForm):
    """The advisor ticks every point checked; the service refuses an incomplete list."""

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checklist"] = forms.MultipleChoiceField(
            label=_("Ce que vous avez vérifié"),
            choices=list(items),
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": _("Cochez chaque point vérifié.")},
        )


class MandateForm(DsfrForm):
    holder_name = forms.CharField(
        label=_("Nom et prénom de la personne mandatée"),
        max_length=150,
        error_messages={"required": _("Indiquez le nom de la personne mandatée.")},
    )
    holder_email = forms.EmailField(
        label=_("Son adresse électronique"),
        help_text=_(
            "Elle se connecte avec cette adresse pour agir pour l'entreprise. Exemple : nom@cabinet.fr."
        ),
        error_messages={
            "required": _("Indiquez l'adresse électronique de la personne mandatée."),
            "invalid": _("Indiquez une adresse électronique valide, par exemple nom@cabinet.fr."),
        },
    )
    kind = forms.ChoiceField(
        label=_("Son lien avec l'entreprise"),
        choices=[("", _("Choisissez"))] + list(Mandate.Kind.choices),
        error_messages={"required": _("Indiquez le lien de cette personne avec l'entreprise.")},
    )
    valid_until = forms.DateField(
        label=_("Fin du mandat (facultatif)"),
        help_text=_("Sans date, le mandat vaut jusqu'à ce que vous le retiriez."),
        required=False,
        widget=DATE_INPUT,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": _("Indiquez une date valide, par exemple 31/12/2027.")},
    )
    confirm = forms.BooleanField(
        label=_(
            "Je suis représentant légal de l'entreprise et j'autorise cette personne à demander et suivre le "
            "chèque numérique pour elle. Je peux retirer ce mandat à tout moment."
        ),
        error_messages={"required": _("Cochez la case pour donner le mandat.")},
    )


class ContestForm(DsfrForm):
    reason = forms.CharField(
        label=_("Pourquoi contestez-vous cette demande ?"),
        help_text=_("Exemple : « Je suis le gérant et je n'ai ni déposé ni autorisé cette demande. »"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Expliquez en une phrase pourquoi vous contestez cette demande.")},
    )
