from datetime import date, timedelta

import factory
from django.utils import timezone

from tremplin.accounts.models import Role, User
from tremplin.network.models import Organisation
from tremplin.providers.models import Provider, Status
from tremplin.registry.identifiers import with_check_digit as luhn_complete
from tremplin.registry.models import Company, Departement, Region
from tremplin.schemes.models import EligibilityRule, Envelope, Scheme, SpendCategory
from tremplin.vouchers.models import Application

# Valid identifiers (Luhn) used across tests.
VALID_SIRENS = ["732829320", "552032534", "542051180", "443061841", "383474814"]
IBAN_FR = "FR7630006000011234567890189"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "84"
    name = "Auvergne-Rhône-Alpes"


class DepartementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Departement
        django_get_or_create = ("code",)

    code = "69"
    name = "Rhône"
    region = factory.SubFactory(RegionFactory)


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    siren = factory.Sequence(lambda n: luhn_complete(f"{10000000 + n:08d}"))
    denomination = factory.Sequence(lambda n: f"Boulangerie numéro {n}")
    created_on = factory.LazyFunction(lambda: date.today() - timedelta(days=3 * 365))
    headcount_bracket = "02"
    state = Company.State.ACTIVE
    legal_form = "5710"
    naf_code = "10.71C"
    head_office_nic = "00011"
    head_office_postal_code = "69001"
    head_office_commune_code = "69381"
    departement = factory.SubFactory(DepartementFactory)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"CCI {n}")
    kind = Organisation.Kind.CCI

    @factory.post_generation
    def departements(self, create, extracted, **kwargs):
        if create:
            self.departements.set(extracted if extracted is not None else [DepartementFactory()])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@example.fr")
    first_name = "Camille"
    last_name = "Martin"
    role = Role.OWNER
    email_verified = True
    password = factory.django.Password("motdepasse-solide-42")

    class Params:
        advisor = factory.Trait(role=Role.ADVISOR, organisation=factory.SubFactory(OrganisationFactory))
        manager = factory.Trait(role=Role.MANAGER)
        auditor = factory.Trait(role=Role.AUDITOR)
        provider_member = factory.Trait(
            role=Role.PROVIDER, provider=factory.SubFactory("tests.factories.ProviderFactory")
        )


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    siret = factory.Sequence(lambda n: luhn_complete(f"{80000000000000 + n * 100:014d}"[:13]))
    name = factory.Sequence(lambda n: f"Agence Web {n}")
    status = Status.ACCREDITED
    iban = "FR7630004000031234567890143"


DEFAULT_RULES = [
    ("active_in_registry", {}),
    ("max_headcount_bracket", {"max": "11"}),
    ("max_declared_headcount", {"max": 10}),
    ("max_turnover", {"max_cents": 200_000_000}),
    ("min_company_age", {"months": 6}),
    ("excluded_legal_forms", {"prefixes": ["4", "7", "92"], "label": "personnes publiques et associations"}),
    ("de_minimis", {"ceiling_cents": 30_000_000}),
    ("one_open_voucher", {}),
]


class SchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scheme
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Chèque numérique {n}")
    slug = factory.Sequence(lambda n: f"cheque-{n}")
    spend_categories = factory.LazyFunction(lambda: list(SpendCategory.values))
    window_opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))
    window_closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=300))
    payee = Scheme.Payee.BUSINESS
    allocation = Scheme.Allocation.FCFS

    @factory.post_generation
    def with_rules(self, create, extracted, **kwargs):
        if create and extracted is not False:
            for i, (kind, params) in enumerate(DEFAULT_RULES):
                EligibilityRule.objects.create(scheme=self, kind=kind, params=params, position=i)


class EnvelopeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Envelope

    scheme = factory.SubFactory(SchemeFactory)
    region = factory.SubFactory(RegionFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    total_cents = 10_000_000


def pdf_file(name="devis.pdf", body=b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, body, content_type="application/pdf")


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A complete draft, ready to submit."""

    class Meta:
        model = Application

    scheme = factory.SubFactory(SchemeFactory)
    owner = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    declared_headcount = 4
    declared_turnover_cents = 35_000_000
    declared_de_minimis_cents = 0
    iban = IBAN_FR
    account_holder = "Boulangerie Martin"
    provider = factory.SubFactory(ProviderFactory)
    spend_category = SpendCategory.WEBSITE
    project_description = "Site vitrine avec prise de commande en ligne"
    planned_spend_cents = 400_000
    quote = factory.LazyFunction(pdf_file)
