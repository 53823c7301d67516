import csv
import io
from datetime import date, timedelta
from pathlib import Path

import factory
from django.conf import settings
from django.utils import timezone

from tremplin.accounts.models import Role, User
from tremplin.authority import services as authority
from tremplin.authority.models import Capacity
from tremplin.demo.seed import french_iban
from tremplin.network.models import Organisation
from tremplin.providers.models import REQUIRED_DOCUMENT_KINDS, Document, Provider, Status
from tremplin.registry.identifiers import with_check_digit as luhn_complete
from tremplin.registry.models import Company, Departement, Region
from tremplin.schemes.models import EligibilityRule, Envelope, Scheme, SpendCategory
from tremplin.vouchers import services as vouchers
from tremplin.vouchers.models import Application

# Valid identifiers (Luhn) used across tests.
VALID_SIRENS = ["732829320", "552032534", "542051180", "443061841", "383474814"]
IBAN_FR = "FR7630006000011234567890189"
# Every UserFactory account's password (the browser tests type it in the login form).
PASSWORD = "motdepasse-solide-42"
BIRTH_DATE = date(1980, 4, 12)


def _append(path, header, row):
    path = Path(path)
    new = not path.exists()
    with path.open("a", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        if new:
            writer.writerow(header)
        writer.writerow(row)


def register_representative(company, given_names, family_name, birth_month="1980-04", role="Gérant"):
    """Write a line of the test extract of the business register (RNE) the authority adapter reads."""
    _append(
        settings.AUTHORITY_REPRESENTATIVES["OPTIONS"]["path"],
        ["siren", "nom", "prenoms", "qualite", "date_naissance"],
        [company.siren, family_name, given_names, role, birth_month],
    )


def register_account(iban, holder):
    """Write a line of the test banks' accounts file the verification of payee reads."""
    _append(settings.PAYEE_VERIFICATION["OPTIONS"]["path"], ["iban", "titulaire"], [iban, holder])


def declared(user, company, capacity=Capacity.REPRESENTATIVE):
    """`user` says, under their own name and born on BIRTH_DATE, in what capacity they act for `company`."""
    return authority.declare(
        user,
        company,
        capacity=capacity,
        given_names=user.first_name,
        family_name=user.last_name,
        birth_date=BIRTH_DATE,
    )


def verified_by_registry(user, company, role="Gérant"):
    """`user` is a director of `company` in the register and has declared it: their right to act is verified."""
    register_representative(company, user.first_name, user.last_name, BIRTH_DATE.strftime("%Y-%m"), role)
    return declared(user, company)


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
    password = factory.django.Password(PASSWORD)

    class Params:
        advisor = factory.Trait(role=Role.ADVISOR, organisation=factory.SubFactory(OrganisationFactory))
        manager = factory.Trait(role=Role.MANAGER)
        auditor = factory.Trait(role=Role.AUDITOR)
        provider_member = factory.Trait(
            role=Role.PROVIDER, provider=factory.SubFactory("tests.factories.ProviderFactory")
        )

    @factory.post_generation
    def second_factor(self, create, extracted, **kwargs):
        """Staff people (settings.SECOND_FACTOR_ROLES) have a confirmed TOTP device unless `second_factor=False`."""
        from django.conf import settings

        from tests.second_factor import give_device

        if create and extracted is not False and self.role in settings.SECOND_FACTOR_ROLES:
            give_device(self)


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider
        skip_postgeneration_save = True

    siret = factory.Sequence(lambda n: luhn_complete(f"{80000000000000 + n * 100:014d}"[:13]))
    name = factory.Sequence(lambda n: f"Agence Web {n}")
    status = Status.ACCREDITED
    iban = "FR7630004000031234567890143"

    @factory.post_generation
    def documents(self, create, extracted, **kwargs):
        """An accredited provider holds its URSSAF certificate and insurance, valid for a year;
        `documents=False` leaves it without any."""
        if not create or extracted is False or self.status != Status.ACCREDITED:
            return
        for kind in REQUIRED_DOCUMENT_KINDS:
            Document.objects.create(
                provider=self,
                kind=kind,
                file=f"providers/documents/{kind}.pdf",
                expires_on=timezone.localdate() + timedelta(days=365),
            )
        self.refresh_documents_valid_until()


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


def pdf_bytes(pages=1, title=None):
    """A real PDF of blank A4 pages, as pypdf writes it (uploads are checked by opening them); a `title`
    in its metadata tells two files apart (they are stored under random names)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if title:
        writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def stored_bytes(field_file):
    """The content of a stored upload (its name is random: compare what it holds)."""
    with field_file.open("rb") as handle:
        return handle.read()


def image_bytes(kind="PNG", size=(4, 3)):
    """A real PNG or JPEG (a flat blue rectangle), as Pillow writes it."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (0, 0, 145)).save(out, format=kind)
    return out.getvalue()


def pdf_file(name="devis.pdf", body=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, pdf_bytes() if body is None else body, content_type="application/pdf")


def png_file(name="photo.png", body=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, image_bytes("PNG") if body is None else body, content_type="image/png")


def jpeg_file(name="photo.jpg", body=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, image_bytes("JPEG") if body is None else body, content_type="image/jpeg")


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A complete draft, ready to submit."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    scheme = factory.SubFactory(SchemeFactory)
    owner = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    declared_headcount = 4
    declared_turnover_cents = 35_000_000
    declared_de_minimis_cents = 0
    has_linked_companies = False
    # One account per file, held in the company's name at the (test) bank.
    iban = factory.Sequence(lambda n: french_iban("30006", "00001", f"{n:011d}"))
    account_holder = "Boulangerie Martin"
    bank_document = factory.LazyFunction(lambda: pdf_file("rib.pdf"))
    provider = factory.SubFactory(ProviderFactory)
    spend_category = SpendCategory.WEBSITE
    project_description = "Site vitrine avec prise de commande en ligne"
    planned_spend_cents = 400_000
    quote = factory.LazyFunction(pdf_file)

    @factory.post_generation
    def standing(self, create, extracted, **kwargs):
        """By default the owner is the company's director in the register and the account is the company's;
        `standing=False` leaves both unchecked (the test sets them up itself)."""
        if not create or extracted is False:
            return
        if self.iban:
            register_account(self.iban, self.company.denomination or self.company.display_name)
        if self.owner.role == Role.OWNER:
            verified_by_registry(self.owner, self.company)


def held_for_authority_check(scheme, applicant, company, provider=None):
    """A file opened by someone the register does not list, who gave an extract and a signed statement:
    submitted, it waits for an advisor's check of who applies."""
    chosen = {"provider": provider} if provider else {}
    application = ApplicationFactory(
        scheme=scheme, owner=applicant, company=company, standing=False, **chosen
    )
    register_account(application.iban, company.denomination)
    rep = declared(applicant, company)
    authority.add_documents(
        applicant,
        rep,
        register_extract=pdf_file("extrait.pdf"),
        extract_issued_on=timezone.localdate() - timedelta(days=10),
        statement=pdf_file("attestation.pdf"),
    )
    return vouchers.submit(applicant, application)
