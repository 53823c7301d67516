from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.core.forms import DsfrForm
from tremplin.network.models import MatchState, Theme


class RequestForm(DsfrForm):
    # Checked by the service (`services.create_request`), which knows what the registry says of it.
    siret = forms.CharField(
        label=_("Numéro SIREN ou SIRET de votre entreprise"),
        help_text=_(
            "9 chiffres (SIREN) ou 14 chiffres (SIRET), sur vos factures ou votre extrait Kbis. "
            "Exemple : 732 829 320"
        ),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("Indiquez le numéro SIREN ou SIRET de votre entreprise.")},
    )
    postal_code = forms.CharField(
        label=_("Code postal de l'entreprise"),
        help_text=_("Utile si votre entreprise est toute récente : nous trouvons ainsi vos conseillers."),
        max_length=5,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    email = forms.EmailField(
        label=_("Votre adresse électronique"),
        help_text=_("Le conseiller vous écrira à cette adresse. Format : nom@domaine.fr"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Votre numéro de téléphone (facultatif)"),
        help_text=_(
            "Seuls les conseillers qui reçoivent votre demande le voient, pour vous appeler. "
            "Format : 06 12 34 56 78"
        ),
        max_length=25,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    theme = forms.ChoiceField(label=_("Votre sujet"), choices=())
    description = forms.CharField(
        label=_("Votre besoin"),
        help_text=_("En quelques phrases : ce que vous voulez faire, où vous en êtes."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", _("Choisissez un sujet"))] + list(
            Theme.objects.values_list("code", "label")
        )


class MatchStateForm(DsfrForm):
    state = forms.ChoiceField(choices=MatchState.choices)


class AwarenessForm(DsfrForm):
    on = forms.DateField(
        label=_("Date de la session"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    theme = forms.ModelChoiceField(label=_("Thème"), queryset=Theme.objects.all())
    attendees = forms.CharField(
        label=_("Entreprises présentes"),
        help_text=_("Un SIRET ou un SIREN par ligne."),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
    attendees_file = forms.FileField(
        label=_("Ou liste d'émargement (CSV)"),
        help_text=_("Fichier CSV avec un SIRET ou un SIREN en première colonne."),
        required=False,
    )


class CoachingForm(DsfrForm):
    siret = forms.CharField(label=_("SIRET ou SIREN de l'entreprise"), max_length=20)
    on = forms.DateField(
        label=_("Date de la séance"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )
    hours = forms.DecimalField(
        label=_("Durée (heures)"),
        help_text=_("Par exemple 1,5"),
        min_value=Decimal("0.25"),
        max_value=Decimal("100"),
        decimal_places=2,
    )
    topic = forms.CharField(label=_("Sujet"), max_length=200)


class AdvisorChoiceForm(DsfrForm):
    """A programme manager picks an advisor among those covering the request's territory."""

    advisor = forms.TypedChoiceField(
        label=_("Conseiller"),
        help_text=_("Conseillers des antennes qui couvrent le territoire de l'entreprise."),
        coerce=int,
        choices=(),
    )

    def __init__(self, advisors, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.advisors = {advisor.pk: advisor for advisor in advisors}
        self.fields["advisor"].choices = [("", _("Choisissez un conseiller"))] + [
            (advisor.pk, advisor_label(advisor)) for advisor in self.advisors.values()
        ]

    def clean_advisor(self):
        return self.advisors[self.cleaned_data["advisor"]]


def advisor_label(advisor):
    name = advisor.get_full_name() or advisor.email
    return f"{name} ({advisor.organisation.name})" if advisor.organisation_id else name
