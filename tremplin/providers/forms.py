import unicodedata

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrDjangoTemplates

from tremplin.core.forms import DsfrForm, EurosField
from tremplin.providers.models import Document, Provider
from tremplin.providers.search import Filters
from tremplin.registry.models import Departement
from tremplin.schemes.models import SpendCategory

# django-dsfr's default renderer is a class, so every form instance builds (and parses its templates
# into) a new template engine. The directory form is rendered on every search: it shares one.
DIRECTORY_RENDERER = DsfrDjangoTemplates()


class PlainSelect(forms.Select):
    """A <select> written in Python, same HTML as Django's: the directory's lists are drawn on every
    search, and Django renders one template per option."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], flatatt(option["attrs"]), option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(widget["attrs"]), options)


class DirectoryForm(DsfrForm):
    default_renderer = DIRECTORY_RENDERER

    q = forms.CharField(
        label=_("Rechercher un prestataire"),
        help_text=_("Un nom, une ville, un métier : « site vitrine », « electricite »…"),
        required=False,
        max_length=100,
    )
    category = forms.ChoiceField(label=_("Catégorie"), required=False, widget=PlainSelect)
    departement = forms.ChoiceField(label=_("Département desservi"), required=False, widget=PlainSelect)
    max_price = EurosField(
        label=_("Budget maximal HT (€)"),
        help_text=_("Offres dont le prix de départ tient dans ce budget."),
        required=False,
        max_length=12,
    )
    min_rating = forms.TypedChoiceField(
        label=_("Note minimale"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=PlainSelect,
        choices=[("", _("Toutes les notes")), ("3", _("3 étoiles et plus")), ("4", _("4 étoiles et plus"))],
    )

    def __init__(self, *args, departements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("Toutes les catégories")), *SpendCategory.choices]
        self.fields["departement"].choices = [("", _("Tous les départements")), *departements]


class SignupForm(DsfrForm):
    siret = forms.CharField(
        label=_("Numéro SIRET de votre établissement"),
        help_text=_("14 chiffres, sur vos factures ou votre extrait Kbis. Exemple : 732 829 320 00074"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    name = forms.CharField(
        label=_("Raison sociale"),
        help_text=_("Remplie d'après le répertoire SIRENE quand nous y trouvons votre SIRET."),
        max_length=200,
        required=False,
    )
    first_name = forms.CharField(label=_("Votre prénom"), max_length=150)
    last_name = forms.CharField(label=_("Votre nom"), max_length=150)
    email = forms.EmailField(label=_("Votre adresse électronique professionnelle"))
    password = forms.CharField(
        label=_("Mot de passe"),
        help_text=_("10 caractères au moins."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        min_length=10,
    )


class ProfileForm(DsfrForm):
    description = forms.CharField(
        label=_("Présentation"),
        help_text=_("Ce que vous faites, pour qui, et comment vous travaillez. Visible dans l'annuaire."),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=5000,
    )
    website = forms.URLField(label=_("Site internet"), required=False, assume_scheme="https")
    email = forms.EmailField(label=_("Adresse électronique de contact"), required=False)
    phone = forms.CharField(label=_("Téléphone"), required=False, max_length=20)
    trading_since = forms.DateField(
        label=_("En activité depuis le"),
        help_text=_("Format : JJ/MM/AAAA."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    similar_turnover = EurosField(
        label=_("Chiffre d'affaires HT sur des projets similaires (3 dernières années, €)"),
        help_text=_("Critère d'habilitation : projets numériques pour des TPE et PME."),
        required=False,
        max_length=16,
    )
    iban = forms.CharField(label=_("IBAN"), required=False, max_length=40)
    bic = forms.CharField(label=_("BIC"), required=False, max_length=11)

    service_fields = {"similar_turnover_cents": "similar_turnover"}

    def values(self):
        data = dict(self.cleaned_data)
        data["similar_turnover_cents"] = data.pop("similar_turnover")
        return data


class MemberForm(DsfrForm):
    email = forms.EmailField(label=_("Adresse électronique du collègue"))
    first_name = forms.CharField(label=_("Prénom"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=150, required=False)


class DocumentForm(DsfrForm):
    kind = forms.ChoiceField(label=_("Type de document"), choices=Document.Kind.choices)
    file = forms.FileField(
        label=_("Document (PDF, 10 Mo au plus)"), widget=forms.ClearableFileInput(attrs={"accept": ".pdf"})
    )
    expires_on = forms.DateField(
        label=_("Valable jusqu'au"),
        help_text=_("Obligatoire pour l'attestation URSSAF et l'assurance. Format : JJ/MM/AAAA."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    label = forms.CharField(
        label=_("Intitulé"), help_text=_("Pour une référence : le client et le projet."), required=False
    )


def regions_with_departements():
    """[(région, [(code, "Nom (code)"), ...]), ...] in one query, régions by name, départements by code."""
    regions = {}
    for departement in Departement.objects.select_related("region").order_by("code"):
        regions.setdefault(departement.region, []).append((departement.code, str(departement)))
    # Île-de-France between Hauts-de-France and La Réunion, whatever the database's collation.
    return sorted(regions.items(), key=lambda item: unaccented(item[0].name))


def unaccented(text):
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


class DepartementsByRegion(forms.CheckboxSelectMultiple):
    """Départements as checkboxes, one group per région, each with a "Toute la région" box.

    The form receives the ticked départements under the field's name, as a multiple select sends them;
    a région ticked as a whole (`<name>_regions`) adds all its départements."""

    template_name = "providers/includes/departements_widget.html"
    regions = ()

    def value_from_datadict(self, data, files, name):
        codes = list(super().value_from_datadict(data, files, name))
        whole = set(data.getlist(f"{name}_regions")) if hasattr(data, "getlist") else set()
        for region, choices in self.regions:
            if region.code in whole:
                codes += [code for code, _label in choices if code not in codes]
        return codes

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        groups = {group: options for group, options, _index in widget["optgroups"]}
        widget["regions"] = [
            {
                "code": region.code,
                "name": region.name,
                "id": f"{widget['attrs'].get('id', name)}-region-{region.code}",
                "options": groups.get(region.name, []),
                "whole": all(option["selected"] for option in groups.get(region.name, [])),
                # A région of one département (overseas) needs no "Toute la région" box.
                "several": len(groups.get(region.name, [])) > 1,
            }
            for region, _choices in self.regions
        ]
        return context


class OfferForm(DsfrForm):
    category = forms.ChoiceField(label=_("Catégorie"), choices=SpendCategory.choices)
    title = forms.CharField(label=_("Intitulé de l'offre"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000
    )
    price_min = EurosField(label=_("Prix minimal HT (€)"), max_length=12)
    price_max = EurosField(label=_("Prix maximal HT (€)"), max_length=12)
    delivery_days = forms.IntegerField(label=_("Délai de réalisation (jours)"), min_value=1, max_value=730)
    reversibility = forms.CharField(
        label=_("Engagement de réversibilité"),
        help_text=_(
            "Comment le client récupère ses données (formats, délais) et reprend la main à la fin du "
            "contrat : noms de domaine, comptes, codes sources, documentation."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )
    departements = forms.MultipleChoiceField(
        label=_("Départements desservis"),
        help_text=_(
            "Cochez les départements où vous intervenez, ou « Toute la région » pour tous ceux d'une région."
        ),
        widget=DepartementsByRegion,
        template_name="providers/includes/departements_field.html",
    )

    service_fields = {"price_min_cents": "price_min", "price_max_cents": "price_max"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["departements"]
        field.widget.regions = regions_with_departements()
        field.choices = [(region.name, choices) for region, choices in field.widget.regions]

    def values(self):
        data = dict(self.cleaned_data)
        data["price_min_cents"] = data.pop("price_min")
        data["price_max_cents"] = data.pop("price_max")
        data["departements"] = list(Departement.objects.filter(code__in=data["departements"]))
        return data


class ProviderFilterForm(DsfrForm):
    """The filters of the providers a draft may choose or ask for quotes: a GET form, read on the server.

    Unbound (nothing sent yet), it stands for the company's département and the draft's category."""

    default_renderer = DIRECTORY_RENDERER

    departement = forms.ChoiceField(
        label=_("Département où il intervient"), required=False, widget=PlainSelect
    )
    category = forms.ChoiceField(label=_("Type de dépense"), required=False, widget=PlainSelect)
    q = forms.CharField(
        label=_("Nom du prestataire"),
        help_text=_("Tout ou partie du nom, sans accents si vous préférez. Exemple : « atelier »."),
        required=False,
        max_length=100,
    )

    def __init__(self, data=None, *, application, departements, **kwargs):
        labels = dict(SpendCategory.choices)
        defaults = {
            "departement": application.company.departement_id or "",
            "category": application.spend_category or "",
            "q": "",
        }
        # Only the filters' own keys make the form bound: the quote form's POST is not a filter.
        sent = data is not None and any(name in data for name in defaults)
        super().__init__(data if sent else None, initial=defaults, **kwargs)
        self.defaults = defaults
        self.fields["departement"].choices = [("", _("Tous les départements")), *departements]
        self.fields["category"].choices = [("", _("Tous les types de dépense"))] + [
            (code, labels[code]) for code in application.scheme.spend_categories if code in labels
        ]

    def filters(self):
        """The search's Filters: what was sent when valid, else the defaults."""
        values = self.cleaned_data if self.is_bound and self.is_valid() else self.defaults
        return Filters(q=values["q"], category=values["category"], departement=values["departement"])


class ProviderChoiceForm(DsfrForm):
    provider = forms.ModelChoiceField(
        label=_("Prestataire"),
        queryset=Provider.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choisissez un prestataire habilité dans la liste."),
            "invalid_choice": _("Choisissez un prestataire habilité dans la liste."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Provider.objects.accredited()


class QuoteRequestForm(DsfrForm):
    category = forms.ChoiceField(label=_("Catégorie de la prestation"))
    description = forms.CharField(
        label=_("Votre besoin"),
        help_text=_("Ce que vous voulez faire, pour quand, avec quel budget approximatif."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )
    providers = forms.ModelMultipleChoiceField(
        label=_("Prestataires (3 au plus)"),
        queryset=Provider.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, scheme, providers=None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(SpendCategory.choices)
        self.fields["category"].choices = [(c, labels[c]) for c in scheme.spend_categories if c in labels]
        # `providers`: those the page's filters found (accredited, from the directory's search).
        queryset = Provider.objects.accredited() if providers is None else providers
        self.fields["providers"].queryset = queryset


class QuoteAnswerForm(DsfrForm):
    category = forms.ChoiceField(label=_("Catégorie de votre offre"), choices=SpendCategory.choices)
    amount = EurosField(label=_("Montant total HT (€)"), max_length=12)
    file = forms.FileField(
        label=_("Devis (PDF, 10 Mo au plus)"), widget=forms.ClearableFileInput(attrs={"accept": ".pdf"})
    )
    message = forms.CharField(
        label=_("Message à l'entreprise"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    service_fields = {"amount_cents": "amount"}


STARS = [(str(n), str(n)) for n in range(1, 6)]


class ReviewForm(DsfrForm):
    quality = forms.TypedChoiceField(label=_("Qualité de la prestation (1 à 5)"), choices=STARS, coerce=int)
    deadlines = forms.TypedChoiceField(label=_("Respect des délais (1 à 5)"), choices=STARS, coerce=int)
    communication = forms.TypedChoiceField(
        label=_("Écoute et explications (1 à 5)"), choices=STARS, coerce=int
    )
    text = forms.CharField(label=_("Votre avis"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    is_complaint = forms.BooleanField(
        label=_("Je signale un problème grave (prestation non livrée, facturation abusive…)"), required=False
    )


class AnswerForm(DsfrForm):
    answer = forms.CharField(
        label=_("Votre réponse"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class ReasonForm(DsfrForm):
    reason = forms.CharField(
        label=_("Motif"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )
