"""Forms of the voucher pages: they parse what people type; the services decide."""

from django import forms
from django.forms.models import apply_limit_choices_to_to_formfield
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tremplin.core.forms import AttachmentsField, DsfrForm, EurosField, PdfField
from tremplin.core.glossary import TERMS
from tremplin.registry.forms import clean_company_identifier
from tremplin.schemes.models import Scheme, SpendCategory
from tremplin.vouchers.models import Application, RejectionReason


def euros_input(cents):
    """Show cents back in the way people type them: 150050 -> '1 500,50'."""
    if cents is None:
        return ""
    whole, rest = divmod(int(cents), 100)
    text = f"{whole:,}".replace(",", " ")
    return f"{text},{rest:02d}" if rest else text


def model_choice_field(model, name, **kwargs):
    """The form field of a model's foreign key; the form limits its choices as the model field
    declares, when it is built (`apply_limit_choices_to_to_formfield`: the limit may depend on the day)."""
    return model._meta.get_field(name).formfield(**kwargs)


# --- step 1: who is applying --------------------------------------------------------------------


class CompanyLookupForm(DsfrForm):
    identifier = forms.CharField(
        label=_("Numéro SIREN ou SIRET de votre entreprise"),
        help_text=_(
            "9 chiffres (SIREN) ou 14 chiffres (SIRET). Vous le trouvez sur vos factures ou votre "
            "extrait Kbis. Exemple : 732 829 320."
        ),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    scheme = forms.ModelChoiceField(
        label=_("Dispositif"),
        help_text=TERMS["dispositif"][1],
        queryset=Scheme.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez le dispositif."),
            "invalid_choice": _("Ce dispositif n'est pas ouvert."),
        },
    )
    service_fields = {"siren": "identifier", "siret": "identifier"}

    def __init__(self, *args, schemes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = Scheme.objects.filter(pk__in=[s.pk for s in schemes])
        self.fields["scheme"].label_from_instance = scheme_label
        if len(schemes) == 1:
            self.fields["scheme"].initial = schemes[0].pk
        self.company = None
        self.establishment = None

    def clean_identifier(self):
        self.company, self.establishment = clean_company_identifier(
            self.cleaned_data["identifier"], "identifier", establishment=True
        )
        return self.establishment.siret if self.establishment else self.company.siren


def scheme_label(scheme):
    """A scheme's name, and during its pre-registration when submissions open."""
    if not scheme.in_preregistration():
        return scheme.name
    opens = timezone.localtime(scheme.window_opens_at)
    return gettext("%(name)s (préinscription : dépôt à partir du %(day)s à %(time)s)") % {
        "name": scheme.name,
        "day": date_format(opens, "j F Y"),
        "time": date_format(opens, "H:i"),
    }


# --- the draft ----------------------------------------------------------------------------------


class DraftForm(DsfrForm):
    """Every field is optional: a draft is saved as it is typed. Completeness is checked at submission."""

    declared_headcount = forms.IntegerField(
        label=_("Nombre de salariés"),
        help_text=_("Comptez les salariés en équivalent temps plein. Exemple : 2 salariés à mi-temps = 1."),
        required=False,
        min_value=0,
        max_value=1_000_000,
        error_messages={
            "invalid": _("Indiquez un nombre entier, par exemple 3."),
            "min_value": _("Le nombre de salariés ne peut pas être négatif."),
            "max_value": _("Ce nombre est trop élevé."),
        },
    )
    declared_turnover = EurosField(
        label=_("Chiffre d'affaires du dernier exercice (en euros)"),
        help_text=_("Le montant hors taxes de votre dernier bilan. Exemple : 180 000."),
        required=False,
        allow_zero=True,
    )
    declared_de_minimis = EurosField(
        label=_("Aides « de minimis » reçues sur les 3 dernières années (en euros)"),
        help_text=_(
            "Ce sont les petites aides publiques reçues par votre entreprise : le courrier qui vous les "
            "a accordées dit « aide de minimis ». Additionnez-les, sans les chèques numériques de ce "
            "programme : nous les comptons nous-mêmes. Mettez 0 si vous n'en avez reçu aucune."
        ),
        required=False,
        allow_zero=True,
    )
    has_linked_companies = forms.TypedChoiceField(
        label=_("Votre entreprise est-elle liée à d'autres entreprises ?"),
        help_text=_(
            "Répondez « Oui » si une autre entreprise contrôle la vôtre, ou si la vôtre en contrôle une autre : "
            "une société mère (holding) ou une filiale, par exemple. Contrôler, c'est détenir plus de la moitié "
            "des droits de vote (le plus souvent, plus de la moitié des parts ou des actions), pouvoir nommer "
            "ou révoquer la majorité des dirigeants, ou décider pour elle par un contrat, les statuts ou un "
            "accord entre associés. Ensemble, ces entreprises forment une « entreprise unique » : leurs aides "
            "de minimis comptent ensemble pour le plafond."
        ),
        choices=[("yes", _("Oui")), ("no", _("Non"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    spend_category = forms.ChoiceField(label=_("Type de dépense"), required=False)
    project_description = forms.CharField(
        label=_("Votre projet en quelques phrases"),
        help_text=_("Exemple : « Créer un site internet pour prendre les commandes de gâteaux en ligne. »"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    provider = model_choice_field(
        Application,
        "provider",
        label=_("Prestataire"),
        help_text=_("Seuls les prestataires habilités par le programme peuvent être choisis."),
        required=False,
        empty_label=_("Choisissez un prestataire"),
        error_messages={"invalid_choice": _("Choisissez un prestataire habilité dans la liste.")},
    )
    planned_spend = EurosField(
        label=_("Montant de la dépense prévue (en euros, hors taxes)"),
        help_text=_("Le montant HT du devis. Exemple : 1 500 ou 1 500,50."),
        required=False,
    )
    quote = PdfField(
        label=_("Devis du prestataire"),
        help_text=_("Au format PDF, 10 Mo au plus."),
        required=False,
    )
    iban = forms.CharField(
        label=_("IBAN du compte de l'entreprise"),
        help_text=_(
            "Il figure sur votre relevé d'identité bancaire (RIB). Exemple : FR76 3000 6000 0112 3456 7890 189."
        ),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    account_holder = forms.CharField(
        label=_("Titulaire du compte"),
        help_text=_("Le nom écrit sur le RIB."),
        required=False,
        max_length=70,
    )
    bank_document = PdfField(
        label=_("Relevé d'identité bancaire (RIB) du compte"),
        help_text=_(
            "Le chèque est versé seulement sur un compte au nom de l'entreprise : nous le vérifions auprès "
            "de la banque. Au format PDF, 10 Mo au plus."
        ),
        required=False,
    )

    # form field -> update_draft keyword
    draft_fields = {
        "declared_headcount": "declared_headcount",
        "declared_turnover": "declared_turnover_cents",
        "declared_de_minimis": "declared_de_minimis_cents",
        "has_linked_companies": "has_linked_companies",
        "spend_category": "spend_category",
        "project_description": "project_description",
        "provider": "provider",
        "planned_spend": "planned_spend_cents",
        "quote": "quote",
        "iban": "iban",
        "account_holder": "account_holder",
        "bank_document": "bank_document",
    }
    fieldsets = [
        (
            _("Votre entreprise"),
            ["declared_headcount", "declared_turnover", "declared_de_minimis", "has_linked_companies"],
        ),
        (_("Votre projet"), ["spend_category", "project_description", "provider", "planned_spend", "quote"]),
        (_("Le compte à créditer"), ["iban", "account_holder", "bank_document"]),
    ]

    def __init__(self, *args, application, **kwargs):
        self.application = application
        self.service_fields = {v: k for k, v in self.draft_fields.items()}
        kwargs.setdefault(
            "initial",
            {
                "declared_headcount": application.declared_headcount,
                "declared_turnover": euros_input(application.declared_turnover_cents),
                "declared_de_minimis": euros_input(application.declared_de_minimis_cents),
                "has_linked_companies": {True: "yes", False: "no"}.get(application.has_linked_companies),
                "spend_category": application.spend_category,
                "project_description": application.project_description,
                "provider": application.provider_id,
                "planned_spend": euros_input(application.planned_spend_cents),
                "iban": application.iban,
                "account_holder": application.account_holder,
            },
        )
        super().__init__(*args, **kwargs)
        apply_limit_choices_to_to_formfield(self.fields["provider"])
        labels = dict(SpendCategory.choices)
        self.fields["spend_category"].choices = [("", _("Choisissez le type de dépense"))] + [
            (code, labels.get(code, code)) for code in application.scheme.spend_categories
        ]
        if application.scheme.payee != Scheme.Payee.BUSINESS:
            del self.fields["iban"], self.fields["account_holder"], self.fields["bank_document"]
        if application.quote:
            self._add_hint(
                "quote", _("Un devis est déjà enregistré : ajoutez un fichier seulement pour le remplacer.")
            )
        if application.bank_document and "bank_document" in self.fields:
            self._add_hint(
                "bank_document",
                _("Un RIB est déjà enregistré : ajoutez un fichier seulement pour le remplacer."),
            )

    def _add_hint(self, name, hint):
        # DsfrBaseForm.__init__ has already built the bound fields, which copied the field's help text.
        self.fields[name].help_text = self[name].help_text = f"{self.fields[name].help_text} {hint}"

    def get_fieldsets(self):
        return [
            (title, [self[name] for name in names if name in self.fields]) for title, names in self.fieldsets
        ]

    def changed_values(self):
        """update_draft keywords for the fields sent in this request that are valid."""
        values = {}
        for name, key in self.draft_fields.items():
            if name not in self.fields or name in self.errors:
                continue
            if name in ("quote", "bank_document"):
                if self.cleaned_data.get(name):
                    values[key] = self.cleaned_data[name]
                continue
            if self.add_prefix(name) not in self.data:
                continue
            value = self.cleaned_data.get(name)
            if name in ("project_description", "iban", "account_holder", "spend_category"):
                value = value or ""
            values[key] = value
        return values


class LinkedCompanyForm(DsfrForm):
    """One company linked to the owner's (one single undertaking), added to the draft's list."""

    prefix = "linked"
    siren = forms.CharField(
        label=_("SIREN de l'entreprise liée"),
        help_text=_("9 chiffres. Exemple : 732 829 320."),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
        error_messages={"required": _("Indiquez le numéro SIREN de l'entreprise liée.")},
    )
    name = forms.CharField(
        label=_("Nom de l'entreprise liée (facultatif)"),
        help_text=_("Seulement si elle n'est pas au répertoire SIRENE : sinon nous reprenons son nom."),
        max_length=255,
        required=False,
    )
    de_minimis = EurosField(
        label=_("Ses aides de minimis des 3 dernières années (en euros)"),
        help_text=_(
            "Mettez 0 si elle n'en a reçu aucune. Ne comptez pas les chèques numériques de ce programme : nous "
            "les ajoutons nous-mêmes."
        ),
        allow_zero=True,
        error_messages={"required": _("Indiquez les aides de minimis de cette entreprise (0 si aucune).")},
    )
    service_fields = {"linked_siren": "siren", "linked_de_minimis": "de_minimis", "linked_companies": None}


# --- actions on a file ----------------------------------------------------------------------------


class ConfirmForm(DsfrForm):
    """Actions with no input: the button is the confirmation."""


class MessageForm(DsfrForm):
    message = forms.CharField(
        label=_("Ce que vous demandez à l'entreprise"),
        help_text=_(
            "Soyez précis : quelle pièce, quelle information. Exemple : « Le devis n'est pas signé, "
            "envoyez le devis signé. »"
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Précisez les informations ou pièces attendues.")},
    )
    attachments = AttachmentsField(
        label=_("Pièces jointes (facultatif)"),
        help_text=_("Jusqu'à 5 fichiers PDF, PNG ou JPEG, 10 Mo au plus chacun."),
    )


class AnswerForm(DsfrForm):
    message = forms.CharField(
        label=_("Votre réponse au conseiller"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Écrivez votre réponse au conseiller.")},
    )
    attachments = AttachmentsField(
        label=_("Pièces jointes (facultatif)"),
        help_text=_("Jusqu'à 5 fichiers PDF, PNG ou JPEG, 10 Mo au plus chacun."),
    )


class InfoAnswerForm(AnswerForm):
    """The answer to the advisor's question on the application: a corrected quote may come with it."""

    quote = PdfField(
        label=_("Devis corrigé (facultatif)"),
        help_text=_(
            "S'il vous est demandé, le nouveau devis au format PDF, 10 Mo au plus : il remplace le précédent "
            "dans votre dossier."
        ),
        required=False,
    )
    planned_spend = EurosField(
        label=_("Montant HT du devis corrigé (facultatif)"),
        help_text=_(
            "Seulement s'il a changé. Exemple : 1 500 ou 1 500,50. Le montant du chèque est recalculé."
        ),
        required=False,
    )
    service_fields = {"planned_spend_cents": "planned_spend"}


class NoteForm(DsfrForm):
    note = forms.CharField(
        label=_("Note (facultatif)"),
        help_text=_(
            "Elle reste dans l'historique du dossier, que lisent les conseillers et les auditeurs, pas l'entreprise."
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RequiredNoteForm(DsfrForm):
    note = forms.CharField(
        label=_("Motif, pour le demandeur"),
        help_text=_("Il lui est envoyé par courriel et reste dans l'historique du dossier."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Indiquez le motif : il sera envoyé au demandeur.")},
    )


class BankAccountForm(DsfrForm):
    iban = forms.CharField(
        label=_("IBAN du nouveau compte de l'entreprise"),
        help_text=_("Exemple : FR76 3000 6000 0112 3456 7890 189."),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Indiquez l'IBAN du nouveau compte.")},
    )
    bank_document = PdfField(
        label=_("RIB du nouveau compte"),
        help_text=_("Au nom de l'entreprise, au format PDF, 10 Mo au plus."),
        error_messages={"required": _("Déposez le RIB du nouveau compte (PDF).")},
    )


class RejectForm(DsfrForm):
    reason = forms.ChoiceField(
        label=_("Motif du refus"),
        choices=[("", _("Choisissez un motif"))] + list(RejectionReason.choices),
        error_messages={"required": _("Choisissez un motif de refus dans la liste.")},
    )
    text = forms.CharField(
        label=_("Explication pour l'entreprise"),
        help_text=_(
            "Obligatoire pour « Autre motif ». Écrivez simplement ce qui manque ou ce qui ne va pas."
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class WithdrawForm(DsfrForm):
    confirm = forms.BooleanField(
        label=_("Je confirme que je retire ma demande. Je ne pourrai pas revenir en arrière."),
        error_messages={"required": _("Cochez la case pour confirmer le retrait.")},
    )
    reason = forms.CharField(label=_("Pourquoi ? (facultatif)"), required=False, max_length=500)


class ClaimForm(DsfrForm):
    invoice = PdfField(
        label=_("Facture du prestataire"),
        help_text=_("Au format PDF, 10 Mo au plus."),
        error_messages={"required": _("Ajoutez la facture au format PDF.")},
    )
    proof_of_payment = PdfField(
        label=_("Justificatif de paiement"),
        help_text=_("Par exemple le relevé bancaire montrant le paiement, au format PDF, 10 Mo au plus."),
        error_messages={"required": _("Ajoutez le justificatif de paiement au format PDF.")},
    )
    invoiced_spend = EurosField(
        label=_("Montant de la facture (en euros, hors taxes)"),
        help_text=_("Le total HT écrit sur la facture. Exemple : 1 500 ou 1 500,50."),
        error_messages={"required": _("Indiquez le montant HT de la facture.")},
    )
    service_fields = {"invoiced_spend_cents": "invoiced_spend"}


class ExpireForm(DsfrForm):
    confirm = forms.BooleanField(
        label=_("Je confirme l'expiration de ce chèque : le budget réservé sera libéré."),
        error_messages={"required": _("Cochez la case pour confirmer.")},
    )


class ClawBackForm(DsfrForm):
    reason = forms.CharField(
        label=_("Motif du reversement"),
        help_text=_("Exemple : « Contrôle du 12 mars : prestation non réalisée. »"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Indiquez le motif du reversement (contrôle, fraude…).")},
    )


class StateFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("État du dossier"), required=False)

    def __init__(self, *args, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("Tous les états"))] + list(states)
        self.fields["state"].widget.attrs["class"] = "fr-select"


class LotteryForm(DsfrForm):
    seed = forms.CharField(
        label=_("Graine du tirage"),
        help_text=_(
            "Le texte publié avant le tirage (par exemple au Journal officiel). Toute personne qui le "
            "connaît peut refaire le tirage et vérifier le résultat."
        ),
        max_length=64,
    )


# --- the advisors' review queue ---------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    """Filters of the review queue; every field is optional and an invalid one is simply not applied."""

    TABS = [
        ("mine", _("Mes dossiers")),
        ("organisation", _("Mon organisation")),
        ("unassigned", _("Non attribués")),
    ]
    tab = forms.ChoiceField(choices=TABS, required=False, widget=forms.HiddenInput)
    state = forms.ChoiceField(label=_("État du dossier"), required=False)
    waiting_days = forms.IntegerField(
        label=_("Déposés il y a plus de (jours)"),
        help_text=_("Exemple : 15 pour voir les dossiers qui attendent depuis plus de 15 jours."),
        required=False,
        min_value=1,
        max_value=3650,
        error_messages={
            "invalid": _("Indiquez un nombre de jours, par exemple 15."),
            "min_value": _("Indiquez au moins 1 jour."),
            "max_value": _("Indiquez au plus 3650 jours."),
        },
    )
    expires_soon = forms.BooleanField(
        label=_("Chèques qui expirent dans les 30 jours"),
        help_text=_("Les chèques accordés dont la demande de paiement n'est pas encore déposée."),
        required=False,
    )

    def __init__(self, *args, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("Tous les états"))] + list(states)
        self.fields["state"].widget.attrs["class"] = "fr-select"
        self.fields["waiting_days"].widget.attrs.update({"class": "fr-input", "inputmode": "numeric"})

    def filters(self):
        """The values that passed validation (the others are ignored, and shown with their error)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}


class BulkAssignForm(forms.Form):
    applications = forms.ModelMultipleChoiceField(
        queryset=None,
        error_messages={
            "required": _("Cochez au moins un dossier à vous attribuer."),
            "invalid_choice": _(
                "Un des dossiers cochés n'est pas de votre territoire : rien n'a été attribué."
            ),
            "invalid_pk_value": _("Un des dossiers cochés n'existe pas : rien n'a été attribué."),
        },
    )

    def __init__(self, *args, applications, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = applications


class AssignForm(DsfrForm):
    """Rendered whole with `{{ form }}`."""

    advisor = forms.ModelChoiceField(
        label=_("Conseiller à qui attribuer le dossier"),
        help_text=_("Seuls les conseillers qui couvrent le département de l'entreprise sont proposés."),
        queryset=None,
        empty_label=_("Choisissez un conseiller"),
        error_messages={
            "required": _("Choisissez le conseiller à qui attribuer le dossier."),
            "invalid_choice": _("Choisissez un conseiller dans la liste."),
        },
    )

    def __init__(self, *args, advisors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["advisor"].queryset = advisors
        self.fields["advisor"].label_from_instance = lambda user: (
            f"{user} ({user.organisation.name})" if user.organisation_id else str(user)
        )
