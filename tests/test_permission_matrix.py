"""The permission matrix: every page and every API operation, requested as every role.

`PAGES` holds one entry per URL name the resolver knows (the Django admin is one family, `admin`), `API`
one per operation of the NinjaAPI (`"METHOD /path"`). Each entry says how to reach it with real
objects (`args` / `ids`, built from the lazy `World`) and who may use it (a `Rule`). The meta-tests
fail on a URL or an operation without an entry, and on an entry whose URL is gone.

Outcomes, for every role:
- `ALLOW`: 200, a redirect elsewhere than the login, or a form's refusal of what was sent (400, 409, 422).
- `DENY`: 403 when the role may not use the page at all (`core.web.require_role`, a service's
  `PermissionDenied`), 404 when the object lies outside the person's scope (`accounts.access.get_for_user`):
  either is a refusal, and a refused unsafe request changes nothing in the database.
- `LOGIN`: an anonymous visitor is sent to the login page (`LoginRequiredMiddleware`), or gets a 401 from
  the API.
- `OWN`: the owner, the advisor or the provider member may on their own object (the owner's file, the
  file of the advisor's territory, the provider's own quote) and is refused on another's: the second
  person of each pair (`other_owner`, `other_advisor` of Paris, `other_provider`) is that other one.
- `READ` (auditors): GET allowed, every unsafe method refused. What is an auditor's own (preferences,
  notifications read, logout, language) is `signed_in()`: theirs to change like anyone's.
- The Django admin is one family, `admin`, for staff accounts (`is_staff`) only, whatever the role.

How to add an entry: see docs/testing.md ("The permission matrix").
"""

import functools
import json
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from types import ModuleType

import pytest
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from config.api import api as ninja_api
from tests.api.conftest import ApiClient, api_for
from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    UserFactory,
    luhn_complete,
    pdf_bytes,
    pdf_file,
    png_file,
    verified_by_registry,
)
from tremplin.accounts import services as accounts
from tremplin.authority import services as authority
from tremplin.core.models import Notification
from tremplin.network import services as network
from tremplin.network.models import AdvisorProfile, Antenna, Theme
from tremplin.payments.models import PaymentBatch
from tremplin.providers import quotes
from tremplin.providers.models import Offer, Review
from tremplin.vouchers import services as vouchers
from tremplin.vouchers.models import Message, MessageAttachment

pytestmark = pytest.mark.django_db

ALLOW, DENY, LOGIN, OWN, READ = "allow", "deny", "login", "own", "read"
SAFE = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Rule:
    """Who may use one URL or operation. `args`/`ids`: the URL's kwargs from the world; `data`: a body."""

    anonymous: str = LOGIN
    owner: str = DENY
    advisor: str = DENY
    manager: str = DENY
    auditor: str = DENY
    provider: str = DENY
    methods: tuple = ("GET",)
    args: object = None
    data: object = None
    multipart: bool = False
    note: str = ""


# Shorthands for the common shapes.
def public(**kw):
    everyone = {"anonymous": ALLOW, "owner": ALLOW, "advisor": ALLOW, "manager": ALLOW, "auditor": ALLOW}
    return Rule(**{**everyone, "provider": ALLOW, **kw})


def signed_in(**kw):
    """Any signed-in person, on what is their own (their notifications, their preferences)."""
    return Rule(owner=ALLOW, advisor=ALLOW, manager=ALLOW, auditor=ALLOW, provider=ALLOW, **kw)


def staff_read(**kw):
    """The programme's managers read and act; auditors read."""
    return Rule(manager=ALLOW, auditor=READ, **kw)


def pk(obj):
    return lambda w: {"pk": getattr(w, obj).pk}


def fmt(name="csv"):
    return lambda w: {"fmt": name}


GP = ("GET", "POST")
P = ("POST",)


# --- the world: real objects, built on first use --------------------------------------------------


class World:
    """The objects the URLs point at, built lazily with the factories and the services."""

    def __init__(self, people, scheme, rhone):
        self.people = people
        self.scheme = scheme
        self.rhone = rhone
        self.owner = people["owner"]
        self.advisor = people["advisor"]
        self.manager = people["manager"]
        self.member = people["provider"]
        self.provider = self.member.provider

    def _file(self, **kw):
        return ApplicationFactory(
            scheme=self.scheme,
            owner=self.owner,
            company=CompanyFactory(departement=self.rhone),
            provider=self.provider,
            **kw,
        )

    @cached_property
    def draft(self):
        return self._file()

    @cached_property
    def submitted(self):
        return vouchers.submit(self.owner, self._file())

    @cached_property
    def approved(self):
        application = vouchers.submit(self.owner, self._file())
        application = vouchers.start_review(self.advisor, application)
        return vouchers.approve(self.advisor, application)

    @cached_property
    def contested_company(self):
        """A company of the owner's (she is its director in the register) whose open file someone else
        submitted: the other owner, who is a director too."""
        company = CompanyFactory(departement=self.rhone)
        application = ApplicationFactory(
            scheme=self.scheme, owner=self.people["other_owner"], company=company, provider=self.provider
        )
        vouchers.submit(application.owner, application)
        verified_by_registry(self.owner, company)
        return company

    @cached_property
    def attachment(self):
        message = Message.objects.create(application=self.submitted, author=self.owner, body="Voici.")
        upload = png_file()
        return MessageAttachment.objects.create(
            message=message,
            file=upload,
            original_name="photo.png",
            content_type="image/png",
            size=upload.size,
        )

    @cached_property
    def representation(self):
        return authority.representation_of(self.owner, self.draft.company)

    @cached_property
    def mandate(self):
        return authority.give_mandate(
            self.owner,
            self.draft.company,
            holder_email="comptable@cabinet.example.fr",
            holder_name="Cabinet Comptable",
            kind="accountant",
        )

    @cached_property
    def notification(self):
        return Notification.objects.create(user=self.owner, subject="Votre dossier", link="/dossiers/")

    @cached_property
    def batch(self):
        return PaymentBatch.objects.create(
            scheme=self.scheme,
            message_id="TN-MATRIX-1",
            created_by=self.manager,
            execution_date=timezone.localdate() + timedelta(days=2),
            xml=b"<Document/>",
        )

    @cached_property
    def diagnostic(self):
        from tremplin.diagnostics import services as diagnostics

        diagnostic, _created = diagnostics.start(self.owner, self.draft.company)
        return diagnostic

    @cached_property
    def completed_diagnostic(self):
        from tests.diagnostics.helpers import all_minimum
        from tremplin.diagnostics import services as diagnostics

        diagnostic, _created = diagnostics.start(self.owner, self.submitted.company)
        diagnostic = diagnostics.save_answers(self.owner, diagnostic, all_minimum())
        return diagnostics.complete(self.owner, diagnostic)

    @cached_property
    def theme(self):
        return Theme.objects.create(code="site-internet", label="Site internet")

    @cached_property
    def network_request(self):
        antenna = Antenna.objects.create(organisation=self.advisor.organisation, name="Antenne Lyon")
        antenna.departements.set([self.rhone])
        AdvisorProfile.objects.create(user=self.advisor, antenna=antenna).specialties.set([self.theme])
        company = self.draft.company
        return network.create_request(
            siret=luhn_complete(company.siren + "0001"),
            email="contact@boulangerie.example.fr",
            theme_code=self.theme.code,
            description="Un site pour prendre les commandes.",
            user=self.owner,
        ).request

    @cached_property
    def match(self):
        return self.network_request.matches.get()

    @cached_property
    def offer(self):
        offer = Offer.objects.create(
            provider=self.provider,
            category="website",
            title="Site vitrine",
            price_min_cents=100_000,
            price_max_cents=300_000,
            delivery_days=30,
            reversibility="Code et contenus rendus à la fin du contrat.",
        )
        offer.departements.set([self.rhone])
        return offer

    @cached_property
    def document(self):
        document = self.provider.documents.first()
        document.file.save("urssaf.pdf", ContentFile(pdf_bytes()))
        return document

    @cached_property
    def quote(self):
        assert self.offer  # the provider offers websites: it may answer
        quote_request = quotes.request_quotes(
            self.owner, self.draft, [self.provider], "website", "Un site vitrine avec commande en ligne."
        )
        quote = quote_request.quotes.get()
        quote.file.save("devis.pdf", ContentFile(pdf_bytes()))
        return quote

    @cached_property
    def quote_request(self):
        return self.quote.request

    @cached_property
    def review(self):
        return Review.objects.create(
            application=self.approved,
            provider=self.provider,
            author=self.owner,
            quality=5,
            deadlines=4,
            communication=5,
            text="Travail soigné.",
        )

    @property
    def verify_token(self):
        """A new one each time: the first visit uses it up."""
        return accounts.verification_token(UserFactory(email_verified=False))

    @cached_property
    def reset_kwargs(self):
        return {
            "uidb64": urlsafe_base64_encode(force_bytes(self.owner.pk)),
            "token": default_token_generator.make_token(self.owner),
        }


# --- the pages ------------------------------------------------------------------------------------

OWNER_ONLY = {"owner": ALLOW}
FILE_READERS = {"owner": OWN, "advisor": OWN, "manager": ALLOW, "auditor": READ, "provider": OWN}

PAGES = {
    # front
    "core:home": public(),
    "core:check": public(),
    "core:dashboard": signed_in(),
    "core:accessibility": public(),
    "core:legal": public(),
    "core:set_language": public(methods=P, data=lambda w: {"language": "fr", "next": "/"}),
    "core:error_preview": Rule(
        anonymous=DENY, args=lambda w: {"code": "404"}, note="answers only with DEBUG on: a 404 for all"
    ),
    "stored_file": signed_in(
        args=lambda w: {"name": w.submitted.bank_document.name},
        note="only redirects to the file's access-checked page (here vouchers:document), which decides",
    ),
    "set_language": public(methods=P, data=lambda w: {"language": "fr", "next": "/"}),
    # accounts
    "accounts:signup": Rule(
        anonymous=ALLOW,
        owner=ALLOW,
        advisor=ALLOW,
        manager=ALLOW,
        auditor=ALLOW,
        provider=ALLOW,
        methods=GP,
        note="a signed-in person is sent to their space",
    ),
    "accounts:signup_done": public(),
    "accounts:resend_verification": public(methods=GP),
    "accounts:verify": public(args=lambda w: {"token": w.verify_token}),
    "accounts:login": public(methods=GP),
    "accounts:logout": public(methods=P, anonymous=LOGIN),
    # Off (404) unless ProConnect is configured; on, tests/accounts/test_proconnect.py runs the flow.
    "accounts:proconnect_start": Rule(anonymous=DENY, methods=P),
    "accounts:proconnect_callback": Rule(anonymous=DENY),
    "accounts:proconnect_logout_done": public(),
    "accounts:password_reset": public(methods=GP),
    "accounts:password_reset_done": public(),
    "accounts:password_reset_confirm": public(args=lambda w: w.reset_kwargs),
    "accounts:password_reset_complete": public(),
    "accounts:notifications": signed_in(methods=GP),
    "accounts:inbox": signed_in(),
    "accounts:open_notification": Rule(owner=OWN, args=pk("notification")),
    "accounts:mark_all_read": signed_in(methods=P),
    # The second factor: each person's own; staff without a device are sent to enrol, others to the
    # security page (they are not asked).
    "accounts:security": signed_in(methods=GP),
    "accounts:second_factor_enrol": signed_in(methods=GP),
    "accounts:second_factor_codes": signed_in(),
    "accounts:second_factor_verify": signed_in(methods=GP),
    # personal data: each person's own
    "privacy:mine": signed_in(),
    "privacy:download": signed_in(methods=P, args=lambda w: {"kind": "json"}),
    # Steering: managers and auditors (read only: every page is a GET); an advisor heading their
    # organisation too, on its territory (tests/steering/test_scope.py); the matrix's advisors do not.
    "steering:index": staff_read(),
    "steering:funnel": staff_read(),
    "steering:delays": staff_read(),
    "steering:network": staff_read(),
    "steering:budget": staff_read(),
    "steering:reach": staff_read(),
    "steering:open_data": staff_read(),
    # Open data: public files, for anyone (docs/open-data.md).
    "opendata:file": public(args=lambda w: {"dataset": "demandes", "fmt": "csv"}),
    "opendata:schema": public(args=lambda w: {"dataset": "subventions"}),
    # The national de minimis register: the whole programme's, never an organisation head's
    # (tests/steering/test_state_aid_register.py).
    "steering:state_aid_register": staff_read(),
    # voucher files
    "vouchers:list": signed_in(),
    # Exports: the list's own scope (each person's rows; tests/exports check which rows).
    "vouchers:list_export": signed_in(args=fmt("xlsx")),
    "vouchers:claims_export": signed_in(args=fmt()),
    "vouchers:new": Rule(owner=ALLOW, methods=GP),
    "vouchers:contest": Rule(owner=ALLOW, methods=P),
    "vouchers:queue": Rule(advisor=ALLOW),
    "vouchers:queue_export": Rule(advisor=ALLOW, args=fmt()),
    "vouchers:assign_bulk": Rule(advisor=ALLOW, methods=P),
    "vouchers:schemes": staff_read(),
    "vouchers:scheme": staff_read(
        methods=GP, args=lambda w: {"slug": w.scheme.slug}, data=lambda w: {"draw-seed": "graine"}
    ),
    "vouchers:detail": Rule(**FILE_READERS, args=pk("submitted")),
    "vouchers:receipt": Rule(**FILE_READERS, args=pk("submitted")),
    "vouchers:edit": Rule(owner=OWN, methods=GP, args=pk("draft")),
    "vouchers:delete": Rule(owner=OWN, methods=P, args=pk("draft")),
    "vouchers:assign": Rule(advisor=OWN, manager=ALLOW, methods=GP, args=pk("submitted")),
    "vouchers:who_applies": Rule(owner=OWN, methods=GP, args=pk("draft")),
    "vouchers:statement": Rule(owner=OWN, args=pk("draft")),
    "vouchers:payee_action": Rule(
        owner=OWN,
        methods=P,
        args=lambda w: {"pk": w.submitted.pk, "action": "change_bank_account"},
        data=lambda w: {
            "change_bank_account-iban": "FR7630006000011234567890189",
            "change_bank_account-bank_document": pdf_file("rib.pdf"),
        },
    ),
    "vouchers:act": Rule(
        advisor=OWN, methods=P, args=lambda w: {"pk": w.submitted.pk, "action": "start_review"}
    ),
    "vouchers:document": Rule(
        **{**FILE_READERS, "provider": DENY},
        args=lambda w: {"pk": w.submitted.pk, "kind": "rib"},
        note="the RIB: bank data are never the provider's (it reads the quote, `devis`)",
    ),
    "vouchers:attachment": Rule(
        **{**FILE_READERS, "provider": DENY},
        args=lambda w: {
            "pk": w.submitted.pk,
            "message_pk": w.attachment.message_id,
            "attachment_pk": w.attachment.pk,
        },
        note="the owner's exchange with the programme is never the provider's (docs/privacy.md)",
    ),
    "vouchers:letter": Rule(**FILE_READERS, args=pk("approved")),
    # mandates
    "authority:mandates": Rule(owner=ALLOW),
    "authority:give": Rule(owner=OWN, methods=P, args=lambda w: {"company_pk": w.draft.company_id}),
    "authority:revoke": Rule(owner=OWN, methods=P, args=pk("mandate")),
    # payments
    "payments:batches": staff_read(),
    "payments:batches_export": staff_read(args=fmt("xlsx")),
    "payments:batch_export": staff_read(args=lambda w: {"pk": w.batch.pk, "fmt": "csv"}),
    "payments:create": staff_read(methods=P, data=lambda w: {"scheme": w.scheme.pk}),
    "payments:preview": staff_read(args=lambda w: {"scheme_pk": w.scheme.pk}),
    "payments:batch": staff_read(args=pk("batch")),
    "payments:sepa": staff_read(args=pk("batch")),
    "payments:regenerate": staff_read(methods=P, args=pk("batch")),
    "payments:mark_paid": staff_read(methods=P, args=pk("batch"), data=lambda w: {"paid-confirm": "on"}),
    "payments:cancel": staff_read(methods=P, args=pk("batch"), data=lambda w: {"cancel-reason": "Erreur."}),
    # diagnostics
    "diagnostics:list": signed_in(),
    "diagnostics:start": Rule(owner=ALLOW, advisor=ALLOW, methods=GP),
    "diagnostics:step": Rule(
        owner=OWN,
        advisor=OWN,
        methods=GP,
        args=lambda w: {"pk": w.diagnostic.pk, "number": 1},
        note="managers and auditors read a diagnostic's results, they never answer it (403)",
    ),
    "diagnostics:results": Rule(
        owner=OWN, advisor=OWN, manager=ALLOW, auditor=READ, args=pk("completed_diagnostic")
    ),
    "diagnostics:report": Rule(
        owner=OWN, advisor=OWN, manager=ALLOW, auditor=READ, args=pk("completed_diagnostic")
    ),
    # providers
    "providers:directory": public(),
    "providers:directory_export": public(args=fmt()),
    "providers:reviews_export": public(args=lambda w: {"pk": w.provider.pk, "fmt": "xlsx"}),
    "providers:signup": public(methods=GP),
    "providers:detail": public(args=pk("provider")),
    "providers:accreditation_act": Rule(
        anonymous=LOGIN,
        manager=ALLOW,
        methods=P,
        args=lambda w: {"pk": w.provider.pk, "action": "suspend"},
        data=lambda w: {"reason": "Contrôle en cours."},
    ),
    "providers:accreditations": staff_read(),
    "providers:accreditations_export": staff_read(args=fmt()),
    "providers:dashboard": Rule(provider=ALLOW),
    "providers:profile": Rule(provider=ALLOW, methods=GP),
    "providers:members": Rule(provider=ALLOW, methods=GP),
    "providers:upload_document": Rule(provider=ALLOW, methods=P),
    "providers:document_file": Rule(provider=OWN, manager=ALLOW, auditor=READ, args=pk("document")),
    "providers:offers": Rule(provider=ALLOW),
    "providers:offer_new": Rule(provider=ALLOW, methods=GP),
    "providers:offer_edit": Rule(provider=OWN, methods=GP, args=pk("offer")),
    "providers:offer_delete": Rule(provider=OWN, methods=P, args=pk("offer")),
    "providers:pick_provider": Rule(owner=OWN, methods=GP, args=lambda w: {"application_pk": w.draft.pk}),
    "providers:application_quotes": Rule(
        owner=OWN,
        manager=READ,
        auditor=READ,
        methods=GP,
        args=lambda w: {"application_pk": w.draft.pk},
        note="a draft: advisors and the provider do not see it yet",
    ),
    "providers:review_new": Rule(owner=OWN, methods=GP, args=lambda w: {"application_pk": w.approved.pk}),
    "providers:quote_request_cancel": Rule(owner=OWN, methods=P, args=pk("quote_request")),
    "providers:quote_answer": Rule(provider=OWN, methods=GP, args=pk("quote")),
    "providers:quote_choose": Rule(owner=OWN, methods=P, args=pk("quote")),
    "providers:quote_file": Rule(owner=OWN, manager=ALLOW, auditor=READ, provider=OWN, args=pk("quote")),
    "providers:review_answer": Rule(
        provider=OWN, methods=P, args=pk("review"), data=lambda w: {"answer": "Merci !"}
    ),
    "providers:review_moderate": Rule(
        manager=ALLOW, methods=P, args=pk("review"), data=lambda w: {"reason": "Propos injurieux."}
    ),
    # advisor network
    "network:dashboard": Rule(advisor=ALLOW, manager=ALLOW, auditor=READ),
    "network:matches_export": Rule(advisor=ALLOW, args=fmt()),
    "network:actions_export": Rule(advisor=ALLOW, manager=ALLOW, auditor=READ, args=fmt("xlsx")),
    "network:new_request": public(methods=GP),
    "network:request_sent": public(),
    "network:request": Rule(owner=OWN, advisor=OWN, manager=ALLOW, auditor=READ, args=pk("network_request")),
    "network:assign": Rule(manager=ALLOW, methods=P, args=pk("network_request")),
    "network:match_state": Rule(
        advisor=OWN, methods=P, args=pk("match"), data=lambda w: {"state": "taking_care"}
    ),
    "network:reassign": Rule(manager=ALLOW, methods=P, args=pk("match")),
    "network:national_queue": staff_read(),
    "network:national_queue_export": staff_read(args=fmt()),
    "network:new_awareness": Rule(advisor=ALLOW, methods=GP),
    "network:new_coaching": Rule(advisor=ALLOW, methods=GP),
    # fraud
    "fraud:list": staff_read(),
    # the API's own pages (its operations are in API below)
    "api:openapi-json": public(),
    "api:openapi-view": public(),
    "api:api-root": Rule(anonymous=DENY, note="nothing at the API's root: a JSON 404, docs at /api/v1/docs"),
    "api:docs-asset": public(args=lambda w: {"name": "swagger-ui.css"}),
    "api:<catch-all>": Rule(
        anonymous=DENY, args=lambda w: "/api/v1/nulle-part", note="a JSON 404 for every unknown path"
    ),
}

# --- the API: one entry per operation, "METHOD /path" as in the OpenAPI document --------------------

APP = lambda w: {"application_id": w.submitted.pk}  # noqa: E731
DRAFT = lambda w: {"application_id": w.draft.pk}  # noqa: E731
ADVISOR_ACT = Rule(advisor=OWN, args=APP)
MANAGER_ACT = Rule(manager=ALLOW, args=APP)


OFFER = {
    "category": "website",
    "title": "Site vitrine",
    "price_min_cents": 100_000,
    "price_max_cents": 200_000,
    "delivery_days": 30,
    "reversibility": "Code rendu.",
    "departements": ["69"],
}


def body(data):
    return lambda w: data


API = {
    "GET /registry/companies/{siren}": signed_in(args=lambda w: {"siren": w.draft.company.siren}),
    "GET /authority/representations": signed_in(),
    "POST /authority/representations": Rule(
        owner=ALLOW,
        data=lambda w: {
            "siren": w.draft.company.siren,
            "capacity": "representative",
            "given_names": "Camille",
            "family_name": "Martin",
            "birth_date": "1980-04-12",
        },
    ),
    "POST /authority/representations/{representation_id}/documents": Rule(
        owner=OWN, args=lambda w: {"representation_id": w.representation.pk}
    ),
    "GET /authority/mandates": signed_in(),
    "POST /authority/mandates": Rule(
        owner=OWN,
        data=lambda w: {
            "siren": w.draft.company.siren,
            "holder_email": "comptable@cabinet.example.fr",
            "holder_name": "Cabinet Comptable",
            "kind": "accountant",
        },
    ),
    "POST /authority/mandates/{mandate_id}/revoke": Rule(
        owner=OWN, args=lambda w: {"mandate_id": w.mandate.pk}
    ),
    "GET /schemes": signed_in(),
    "GET /schemes/{scheme_id}": signed_in(args=lambda w: {"scheme_id": w.scheme.pk}),
    "POST /schemes/{scheme_id}/draw": Rule(
        manager=ALLOW, args=lambda w: {"scheme_id": w.scheme.pk}, data=body({"seed": "graine"})
    ),
    "GET /applications": signed_in(),
    "POST /applications": Rule(
        owner=ALLOW, data=lambda w: {"scheme_id": w.scheme.pk, "siren": w.draft.company.siren}
    ),
    "POST /applications/contest": Rule(
        owner=OWN,
        data=lambda w: {"siren": w.contested_company.siren, "reason": "Je n'ai rien demandé."},
        note="the owner, a director in the register, contests the file another person opened",
    ),
    "GET /applications/{application_id}": Rule(**FILE_READERS, args=APP),
    "PATCH /applications/{application_id}": Rule(owner=OWN, args=DRAFT, data=body({"declared_headcount": 5})),
    "GET /applications/{application_id}/eligibility": Rule(**FILE_READERS, args=APP),
    "POST /applications/{application_id}/quote": Rule(
        owner=OWN, args=DRAFT, multipart=True, data=lambda w: {"quote": pdf_file()}
    ),
    "POST /applications/{application_id}/check": Rule(owner=OWN, args=DRAFT),
    "POST /applications/{application_id}/submit": Rule(owner=OWN, args=DRAFT),
    "POST /applications/{application_id}/confirm-authority": Rule(
        advisor=OWN, args=APP, data=body({"checklist": []})
    ),
    "POST /applications/{application_id}/refuse-authority": Rule(
        advisor=OWN, args=APP, data=body({"note": "Non."})
    ),
    "POST /applications/{application_id}/uphold-contest": Rule(
        advisor=OWN, args=APP, data=body({"note": "Non."})
    ),
    "POST /applications/{application_id}/dismiss-contest": ADVISOR_ACT,
    "POST /applications/{application_id}/start-review": ADVISOR_ACT,
    "POST /applications/{application_id}/request-info": Rule(
        advisor=OWN, args=APP, data=body({"message": "Le devis signé ?"})
    ),
    "POST /applications/{application_id}/answer-info": Rule(
        owner=OWN, args=APP, data=body({"message": "Le voici."})
    ),
    "POST /applications/{application_id}/approve": ADVISOR_ACT,
    "POST /applications/{application_id}/reject": Rule(
        advisor=OWN, args=APP, data=body({"reason": "quote_invalid"})
    ),
    "POST /applications/{application_id}/withdraw": Rule(
        owner=OWN, args=APP, data=body({"reason": "Abandon."})
    ),
    "POST /applications/{application_id}/claim": Rule(
        owner=OWN,
        args=APP,
        multipart=True,
        data=lambda w: {
            "invoice": pdf_file("facture.pdf"),
            "proof_of_payment": pdf_file("preuve.pdf"),
            "invoiced_spend_cents": "400000",
        },
    ),
    "POST /applications/{application_id}/start-claim-review": ADVISOR_ACT,
    "POST /applications/{application_id}/request-claim-info": Rule(
        advisor=OWN, args=APP, data=body({"message": "Le relevé ?"})
    ),
    "POST /applications/{application_id}/answer-claim-info": Rule(
        owner=OWN, args=APP, data=body({"message": "Le voici."})
    ),
    "POST /applications/{application_id}/approve-claim": ADVISOR_ACT,
    "POST /applications/{application_id}/expire": MANAGER_ACT,
    "POST /applications/{application_id}/claw-back": Rule(
        manager=ALLOW, args=APP, data=body({"reason": "Contrôle."})
    ),
    "POST /applications/{application_id}/confirm-payee": Rule(
        advisor=OWN, args=APP, data=body({"checklist": []})
    ),
    "POST /applications/{application_id}/bank-account": Rule(
        owner=OWN,
        args=APP,
        multipart=True,
        data=lambda w: {"iban": "FR7630006000011234567890189", "bank_document": pdf_file("rib.pdf")},
    ),
    "POST /schemes/{scheme_id}/payment-batches": Rule(
        manager=ALLOW, args=lambda w: {"scheme_id": w.scheme.pk}
    ),
    "GET /payment-batches/{batch_id}": staff_read(args=lambda w: {"batch_id": w.batch.pk}),
    "GET /payment-batches/{batch_id}/sepa.xml": staff_read(args=lambda w: {"batch_id": w.batch.pk}),
    "POST /payment-batches/{batch_id}/regenerate": Rule(
        manager=ALLOW, args=lambda w: {"batch_id": w.batch.pk}
    ),
    "POST /payment-batches/{batch_id}/mark-paid": Rule(
        manager=ALLOW, args=lambda w: {"batch_id": w.batch.pk}
    ),
    "GET /providers": public(),
    "GET /providers/quotes": signed_in(),
    "POST /providers/quote-requests": Rule(
        owner=OWN,
        data=lambda w: {
            "application_id": w.draft.pk,
            "provider_ids": [w.provider.pk],
            "category": "website",
            "description": "Un site vitrine.",
        },
    ),
    "POST /providers/quote-requests/{request_id}/cancel": Rule(
        owner=OWN, args=lambda w: {"request_id": w.quote_request.pk}
    ),
    "POST /providers/quotes/{quote_id}/answer": Rule(
        provider=OWN,
        args=lambda w: {"quote_id": w.quote.pk},
        multipart=True,
        data=lambda w: {"amount_cents": "200000", "category": "website", "file": pdf_file()},
    ),
    "POST /providers/quotes/{quote_id}/choose": Rule(owner=OWN, args=lambda w: {"quote_id": w.quote.pk}),
    "POST /providers/reviews": Rule(
        owner=OWN,
        data=lambda w: {
            "application_id": w.approved.pk,
            "quality": 5,
            "deadlines": 5,
            "communication": 5,
            "text": "Très bien.",
        },
    ),
    "GET /providers/{provider_id}": public(args=lambda w: {"provider_id": w.provider.pk}),
    "POST /providers/{provider_id}/offers": Rule(
        provider=OWN, args=lambda w: {"provider_id": w.provider.pk}, data=body(OFFER)
    ),
    "PUT /providers/{provider_id}/offers/{offer_id}": Rule(
        provider=OWN, args=lambda w: {"provider_id": w.provider.pk, "offer_id": w.offer.pk}, data=body(OFFER)
    ),
    "DELETE /providers/{provider_id}/offers/{offer_id}": Rule(
        provider=OWN, args=lambda w: {"provider_id": w.provider.pk, "offer_id": w.offer.pk}
    ),
    "GET /network/matches": Rule(advisor=ALLOW, manager=ALLOW, auditor=READ),
    "POST /network/matches/{match_id}/state": Rule(
        advisor=OWN, args=lambda w: {"match_id": w.match.pk}, data=body({"state": "taking_care"})
    ),
    "POST /network/requests/{request_id}/assign": Rule(
        manager=ALLOW,
        args=lambda w: {"request_id": w.network_request.pk},
        data=lambda w: {"advisor_id": w.advisor.pk},
    ),
    "POST /network/matches/{match_id}/reassign": Rule(
        manager=ALLOW, args=lambda w: {"match_id": w.match.pk}, data=lambda w: {"advisor_id": w.advisor.pk}
    ),
    "GET /diagnostics": signed_in(),
    "POST /diagnostics": Rule(owner=ALLOW, advisor=OWN, data=lambda w: {"siren": w.draft.company.siren}),
    "GET /diagnostics/{diagnostic_id}": Rule(
        owner=OWN, advisor=OWN, manager=ALLOW, auditor=READ, args=lambda w: {"diagnostic_id": w.diagnostic.pk}
    ),
    "POST /diagnostics/{diagnostic_id}/answers": Rule(
        owner=OWN,
        advisor=OWN,
        args=lambda w: {"diagnostic_id": w.diagnostic.pk},
        data=lambda w: {"version": w.diagnostic.version, "answers": {}},
    ),
    "POST /diagnostics/{diagnostic_id}/complete": Rule(
        owner=OWN, advisor=OWN, args=lambda w: {"diagnostic_id": w.diagnostic.pk}
    ),
    "GET /diagnostics/{diagnostic_id}/results": Rule(
        owner=OWN,
        advisor=OWN,
        manager=ALLOW,
        auditor=READ,
        args=lambda w: {"diagnostic_id": w.completed_diagnostic.pk},
    ),
}

# --- what the resolver and the API know -----------------------------------------------------------

ADMIN = "admin"


def url_names(patterns=None, namespace=""):
    """Every URL name (`namespace:name`); the admin's as one family; an unnamed pattern by its route."""
    names = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == ADMIN:
                names.add(ADMIN)
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or ("<catch-all>" if str(pattern.pattern) == "^(?P<rest>.*)$" else None)
            assert name, (
                f"The URL pattern {pattern.pattern!r} has no name: give it one (path(..., name=...))."
            )
            names.add(f"{namespace}{name}")
    return names


def api_operations():
    """Every operation of the NinjaAPI, "METHOD /path" (its routers' prefix included)."""
    found = set()
    for prefix, router in ninja_api._routers:
        for route, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    found.add(f"{method} {prefix}{route}".rstrip("/").replace("  ", " "))
    return found


# The URL names of the API's operations (ninja names each path after its first operation).
API_OPERATION_NAMES = {
    pattern.name
    for pattern in ninja_api.urls[0]
    if pattern.name not in ("openapi-json", "openapi-view", "api-root")
}


def page_keys():
    """The resolver's names the PAGES table must hold: all but the API's operations (in API)."""
    return {name for name in url_names() if name.removeprefix("api:") not in API_OPERATION_NAMES} - {ADMIN}


HOW_TO_ADD = (
    "Add an entry to {table} in tests/test_permission_matrix.py, e.g. "
    '"{example}": Rule(owner=OWN, advisor=OWN, manager=ALLOW, auditor=READ, args=pk("submitted")), '
    "saying who may use it (see the module's docstring and docs/testing.md)."
)


def coverage_problems(found, table, name):
    """What stops the table from matching what exists: entries missing, and entries for what is gone."""
    problems = []
    if missing := sorted(found - table.keys()):
        problems.append(f"Without an entry: {missing}. " + HOW_TO_ADD.format(table=name, example=missing[0]))
    if gone := sorted(table.keys() - found):
        problems.append(f"Entries of {name} for what no longer exists: {gone}. Remove them.")
    return problems


def test_every_page_has_an_entry_and_every_entry_a_page():
    assert not coverage_problems(page_keys(), PAGES, "PAGES")
    assert ADMIN in url_names(), (
        "The Django admin is no longer mounted: remove test_the_admin_is_for_staff_only."
    )


def test_every_api_operation_has_an_entry_and_every_entry_an_operation():
    assert not coverage_problems(api_operations(), API, "API")


def test_a_new_url_without_an_entry_and_an_entry_without_its_url_are_both_named(settings):
    """The check itself: a URL conf with one unlisted page and without most of the listed ones."""
    urlconf = ModuleType("matrix_urls")
    urlconf.urlpatterns = [
        path("", include("tremplin.front.urls")),
        path("secret/", lambda request: None, name="secret_export"),
    ]
    settings.ROOT_URLCONF = urlconf
    problems = coverage_problems(page_keys(), PAGES, "PAGES")

    assert len(problems) == 2
    assert problems[0].startswith("Without an entry: ['secret_export']. Add an entry to PAGES")
    assert "'vouchers:detail'" in problems[1] and "core:home" not in problems[1]


# --- the people and how each is expected to be answered -------------------------------------------

# (role, the Rule's field that decides, whether this person is the "other" of a pair)
ROLES = [
    ("anonymous", "anonymous", False),
    ("owner", "owner", False),
    ("other_owner", "owner", True),
    ("advisor", "advisor", False),
    ("other_advisor", "advisor", True),
    ("manager", "manager", False),
    ("auditor", "auditor", False),
    ("provider", "provider", False),
    ("other_provider", "provider", True),
]


def expected(rule, field_name, is_other, method):
    value = getattr(rule, field_name)
    if value == OWN:
        return DENY if is_other else ALLOW
    if value == READ:
        return ALLOW if method in SAFE else DENY
    return value


@pytest.fixture
def people(owner, other_owner, advisor, other_advisor, manager, auditor, provider_member):
    return {
        "anonymous": None,
        "owner": owner,
        "other_owner": other_owner,
        "advisor": advisor,
        "other_advisor": other_advisor,
        "manager": manager,
        "auditor": auditor,
        "provider": provider_member,
        "other_provider": UserFactory(provider_member=True, email="membre@autre-agence.example.fr"),
    }


@pytest.fixture
def world(people, scheme, rhone):
    return World(people, scheme, rhone)


# Rows that a request may write without changing anything of the programme's.
NOT_STATE = {"sessions.session", "accounts.apitoken", "axes.accessattempt", "axes.accesslog"}


@functools.cache
def state_tables():
    return tuple(
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.label_lower not in NOT_STATE and not model._meta.proxy and model._meta.managed
    )


def database_state():
    """Every row of every table (but sessions and token use): what a refused request must leave as is.
    Read with plain SQL: the ORM would take most of the module's time."""
    state = {}
    with connection.cursor() as cursor:
        for table in state_tables():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (our own names)
            state[table] = sorted(map(repr, cursor.fetchall()))
    return state


def verdict(response, login_path):
    """ALLOW, DENY or LOGIN, from what the person was answered."""
    status = response.status_code
    if status in (301, 302, 303):
        location = response.headers["Location"]
        return LOGIN if location.split("?")[0] in login_path else ALLOW
    if status == 401:
        return LOGIN
    if status in (403, 404):
        return DENY
    if status in (200, 201, 204, 400, 409, 422):
        return ALLOW
    return f"unexpected {status}"


def check(world, rule, send, login_path):
    """Send the request as every role (the refused first, so that an allowed change comes last)."""
    rule.args and rule.args(world)
    rule.data and rule.data(world)  # the objects they name exist before the first "nothing changed"
    failures = []
    for method in rule.methods:
        cases = [(role, expected(rule, field_name, other, method)) for role, field_name, other in ROLES]
        cases.sort(key=lambda case: case[1] == ALLOW)
        for role, outcome in cases:
            before = database_state() if outcome != ALLOW and method not in SAFE else None
            response = send(role, method)
            if response.streaming:
                b"".join(response.streaming_content)  # a document served: read to its end, closed
            got = verdict(response, login_path)
            if got != outcome:
                failures.append(f"{method} as {role}: expected {outcome}, got {got} ({response.status_code})")
            elif before is not None and database_state() != before:
                failures.append(
                    f"{method} as {role}: refused ({response.status_code}) but the database changed"
                )
    return failures


# --- the pages, requested -------------------------------------------------------------------------


def page_url(world, name, rule):
    kwargs = rule.args(world) if rule.args else {}
    return kwargs if isinstance(kwargs, str) else reverse(name, kwargs=kwargs)


@pytest.fixture
def browse(people, client_for):
    """Each role's client, all logged in before any request (a login writes `last_login`)."""
    clients = {role: client_for(user) if user is not None else Client() for role, user in people.items()}
    return clients.__getitem__


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page(name, world, browse, settings):
    rule = PAGES[name]
    url = page_url(world, name, rule)

    def send(role, method):
        client = browse(role)
        if method == "GET":
            return client.get(page_url(world, name, rule))
        return client.post(url, rule.data(world) if rule.data else {})

    failures = check(world, rule, send, {reverse(settings.LOGIN_URL)})
    assert not failures, f"{name} ({url}):\n" + "\n".join(failures)


# --- the API, requested ---------------------------------------------------------------------------


@pytest.fixture
def api_clients(people):
    clients = {role: api_for(user) if user is not None else ApiClient() for role, user in people.items()}
    return clients.__getitem__


@pytest.mark.parametrize("operation", sorted(API))
def test_api_operation(operation, world, api_clients):
    rule = API[operation]
    method, template = operation.split(" ", 1)
    path = template.format(**(rule.args(world) if rule.args else {}))
    rule = Rule(**{**rule.__dict__, "methods": (method,)})

    def send(role, _method):
        api = api_clients(role)
        headers = api.headers
        full = "/api/v1" + path
        data = rule.data(world) if rule.data else None
        if method == "GET":
            return api.client.get(full, **headers)
        if rule.multipart:
            return api.client.post(full, data or {}, **headers)
        return api.client.generic(
            method,
            full,
            b"" if data is None else json.dumps(data),
            content_type="application/json",
            **headers,
        )

    failures = check(world, rule, send, set())
    assert not failures, f"{operation} ({path}):\n" + "\n".join(failures)


# --- the Django admin: one family -----------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["admin:index", "admin:vouchers_application_changelist", "admin:accounts_user_add"]
)
def test_the_admin_is_for_staff_only(name, people, browse, client_for):
    """The back office is for staff accounts (`is_staff`: the programme's superusers) only; no role gives
    it by itself: every other person is sent to the admin's login, a visitor too."""
    url = reverse(name)
    logins = (reverse("admin:login"), reverse("accounts:login"))
    for role in people:
        response = browse(role).get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith(logins), (role, name)
        assert browse(role).post(url, {}).status_code in (302, 403), (role, name)
    staff = UserFactory(manager=True, is_staff=True, is_superuser=True, email="admin@tremplin.example.fr")
    assert client_for(staff).get(url).status_code == 200
