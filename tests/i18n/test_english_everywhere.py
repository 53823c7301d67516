"""Every page of the main journeys, browsed in English, shows no French sentence of ours.

A fragment of the page (a text node, or a title, aria-label, placeholder or alt attribute) is French when
it holds two French function words or is one of our catalogues' French msgids. The labels of the
registry (company, NAF, legal form, places) and the names of things the test created are allowed.
"""

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

import tremplin
from tests.diagnostics.helpers import Q, all_minimum, dimension_answers
from tests.factories import ApplicationFactory, EnvelopeFactory, SchemeFactory, luhn_complete, pdf_file
from tests.i18n.test_catalog import parse_po
from tests.payments.flows import approved_application, claim_approved_application
from tests.providers.conftest import make_offer
from tremplin.diagnostics import services as diagnostics
from tremplin.diagnostics.report import report_html
from tremplin.network import services as network
from tremplin.network.models import AdvisorProfile, Antenna, Organisation, Theme
from tremplin.payments import services as payments
from tremplin.providers.models import Offer, Provider
from tremplin.providers.quotes import request_quotes
from tremplin.registry.models import Commune, Company, Departement, NafCode, Region
from tremplin.schemes.models import Scheme
from tremplin.vouchers import services
from tremplin.vouchers.models import State

pytestmark = pytest.mark.django_db

FUNCTION_WORDS = set(
    "le la les des du une vous votre vos est sont pour avec sur dans aux ce cette qui que pas".split()
)
WORD = re.compile(r"[\wÀ-ÿ]+")
ALLOWED = ["Tremplin Numérique", "République française", "Liberté Égalité Fraternité"]
ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}


def french_msgids():
    catalogues = [Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"]
    catalogues += sorted(Path(tremplin.__file__).parent.glob("*/locale/en/LC_MESSAGES/django.po"))
    msgids, english = set(), set()
    for path in catalogues:
        for entry in parse_po(path):
            translation = entry["msgstr"].get(0, "")
            english.add(" ".join(translation.split()))
            if translation and translation != entry["msgid"] and len(entry["msgid"]) > 3:
                msgids.add(" ".join(entry["msgid"].split()))
    # A word one catalogue translates and another keeps ("Diagnostics") is English too.
    return msgids - english


MSGIDS = french_msgids()


class Fragments(HTMLParser):
    """The visible texts of a page and its texts for assistive technologies, whitespace collapsed."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fragments, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skipping += 1
        for name, value in attrs:
            if name in ATTRIBUTES and value:
                self.fragments.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.fragments.append(data)


def fragments(html):
    parser = Fragments()
    parser.feed(html)
    return [" ".join(f.split()) for f in parser.fragments if f.strip()]


def data_names():
    """The labels the test took from the registry or created: shown as they are, in French."""
    names = list(Company.objects.values_list("denomination", flat=True))
    names += NafCode.objects.values_list("label", flat=True)
    names += Commune.objects.values_list("name", flat=True)
    names += Departement.objects.values_list("name", flat=True)
    names += Region.objects.values_list("name", flat=True)
    names += Organisation.objects.values_list("name", flat=True)
    names += Provider.objects.values_list("name", flat=True)
    names += Offer.objects.values_list("title", flat=True)
    names += Offer.objects.values_list("reversibility", flat=True)
    names += Scheme.objects.values_list("name", flat=True)
    names += Theme.objects.values_list("label", flat=True)
    try:
        from tremplin.registry.models import LegalForm

        names += LegalForm.objects.values_list("label", flat=True)
    except ImportError:
        pass
    return sorted({n for n in names if n}, key=len, reverse=True)


def is_french(fragment, allowed):
    if fragment in allowed:
        return False  # a data label as a whole ("Site internet", a theme) even when a msgid says the same
    if fragment in MSGIDS:
        return True
    for name in allowed:
        fragment = fragment.replace(name, " ")
    words = [w.lower() for w in WORD.findall(fragment)]
    return sum(1 for w in words if w in FUNCTION_WORDS) >= 2


def french_left(html):
    allowed = ALLOWED + data_names()
    return sorted({f for f in fragments(html) if is_french(f, allowed)})


# --- the data of each page ------------------------------------------------------------------------


class World:
    """What a page needs, built on demand from the root's fixtures and the services."""

    def __init__(self, request):
        self.request = request

    def __getattr__(self, name):
        return self.request.getfixturevalue(name)

    def proconnect_on(self):
        """ProConnect configured (the login page shows its button; no request is sent to it)."""
        self.settings.PROCONNECT_DOMAIN = "https://proconnect.example"
        self.settings.PROCONNECT_CLIENT_ID = "tremplin"
        return True

    def file(self, state):
        scheme, advisor = self.scheme, self.advisor
        owner = self.owner
        if state == "draft":
            return ApplicationFactory(scheme=scheme, owner=owner, company=self.company)
        if state == "submitted":
            return services.submit(
                owner, ApplicationFactory(scheme=scheme, owner=owner, company=self.company)
            )
        if state == "approved":
            return approved_application(scheme, advisor, owner=owner, company=self.company)
        if state == "refused":
            application = services.submit(
                owner, ApplicationFactory(scheme=scheme, owner=owner, company=self.company)
            )
            application = services.start_review(advisor, application)
            return services.reject(advisor, application, "not_eligible", "Hors critères.")
        if state == "claimed":
            application = approved_application(scheme, advisor, owner=owner, company=self.company)
            services.submit_claim(
                owner,
                application,
                invoice=pdf_file("facture.pdf"),
                proof_of_payment=pdf_file("virement.pdf"),
                invoiced_spend_cents=400_000,
            )
            application.refresh_from_db()
            return application  # submit_claim gives the claim, whose pk is not the file's
        if state == "paid":
            application = claim_approved_application(scheme, advisor, owner=owner, company=self.company)
            batch = payments.create_batch(self.manager, scheme)
            payments.mark_batch_paid(self.manager, batch)
            application.refresh_from_db()
            return application
        raise AssertionError(state)

    def preregistered(self, checked=False):
        """The owner's complete draft on a scheme in pre-registration (submissions open in three days)."""
        opens = timezone.now() + timedelta(days=3)
        scheme = SchemeFactory(
            preregistration_opens_at=timezone.now() - timedelta(days=1),
            window_opens_at=opens,
            window_closes_at=opens + timedelta(days=60),
        )
        EnvelopeFactory(scheme=scheme, year=timezone.localtime(opens).year)
        draft = ApplicationFactory(scheme=scheme, owner=self.owner, company=self.company)
        if checked:
            services.check_draft(self.owner, draft)
        return draft

    def waitlisted(self):
        """The owner's file waiting for budget: another company's file took the whole envelope."""
        scheme = SchemeFactory()
        EnvelopeFactory(scheme=scheme, total_cents=200_000)
        first = ApplicationFactory(scheme=scheme)
        services.submit(first.owner, first)
        return services.submit(
            self.owner, ApplicationFactory(scheme=scheme, owner=self.owner, company=self.company)
        )

    def flagged(self):
        """A submitted file whose IBAN another company's file gives too (a fraud flag)."""
        application = self.file("submitted")
        ApplicationFactory(scheme=self.scheme, state=State.UNDER_REVIEW, iban=application.iban)
        return application

    def under_review(self):
        application = self.file("submitted")
        return services.start_review(self.advisor, application)

    def diagnostic(self, answered=False):
        diagnostic, _created = diagnostics.start(self.owner, self.company)
        if answered:
            for step in range(1, len(Q.dimensions) + 1):
                diagnostic = diagnostics.save_answers(
                    self.owner, diagnostic, dimension_answers(all_minimum(), step), version=Q.version
                )
            diagnostic = diagnostics.complete(self.owner, diagnostic)
        return diagnostic

    def offers(self):
        return make_offer(self.provider_member.provider, "website", departements=[self.rhone])

    def network_request(self):
        """A business's request routed to the advisor, whose antenna covers the Rhône."""
        theme = Theme.objects.create(code="site-internet", label="Site internet")
        antenna = Antenna.objects.create(organisation=self.advisor.organisation, name="Antenne de Lyon")
        antenna.departements.set([self.rhone])
        AdvisorProfile.objects.create(user=self.advisor, antenna=antenna).specialties.set([theme])
        return network.create_request(
            siret=luhn_complete(self.company.siren + "0001"),
            email="contact@example.fr",
            theme_code=theme.code,
            description="Un site vitrine.",
        ).request

    def batch(self):
        application = claim_approved_application(
            self.scheme, self.advisor, owner=self.owner, company=self.company
        )
        return payments.create_batch(self.manager, application.scheme)

    def debug(self):
        """Our error pages are previewed only with DEBUG on (Django shows its own otherwise)."""
        self.settings.DEBUG = True
        return True

    def quote(self):
        member = self.provider_member
        draft = ApplicationFactory(scheme=self.scheme, owner=self.owner, company=self.company, provider=None)
        make_offer(member.provider, "website", departements=[self.rhone])
        request_quotes(self.owner, draft, [member.provider], "website", "Un site vitrine.")
        return member.provider.quotes.first()


def detail(state):
    return lambda w: reverse("vouchers:detail", args=[w.file(state).pk])


# (page id, who browses it, the page's address built from the data)
PAGES = [
    ("home", None, lambda w: reverse("core:home")),
    ("quick-check-form", None, lambda w: reverse("core:check")),
    ("quick-check-result", None, lambda w: reverse("core:check") + f"?identifier={w.company.siren}"),
    ("login", None, lambda w: reverse("accounts:login")),
    ("login-with-proconnect", None, lambda w: w.proconnect_on() and reverse("accounts:login")),
    ("account-security", "manager", lambda w: reverse("accounts:security")),
    ("personal-data", "owner", lambda w: reverse("privacy:mine")),
    ("steering-index", "manager", lambda w: reverse("steering:index")),
    ("steering-funnel", "manager", lambda w: reverse("steering:funnel")),
    ("steering-delays", "manager", lambda w: reverse("steering:delays")),
    ("steering-network", "manager", lambda w: reverse("steering:network")),
    ("steering-budget", "manager", lambda w: reverse("steering:budget")),
    ("steering-reach", "manager", lambda w: reverse("steering:reach")),
    ("steering-open-data", "manager", lambda w: reverse("steering:open_data")),
    ("steering-state-aid-register", "manager", lambda w: reverse("steering:state_aid_register")),
    ("network-request-form", None, lambda w: reverse("network:new_request")),
    ("error-404", None, lambda w: "/cette-page-n-existe-pas/"),
    ("owner-home", "owner", lambda w: reverse("vouchers:list")),
    ("diagnostic-start", "owner", lambda w: reverse("diagnostics:start")),
    ("diagnostic-step", "owner", lambda w: reverse("diagnostics:step", args=[w.diagnostic().pk, 1])),
    ("diagnostic-results", "owner", lambda w: reverse("diagnostics:results", args=[w.diagnostic(True).pk])),
    ("new-application", "owner", lambda w: reverse("vouchers:new")),
    ("draft-form", "owner", lambda w: reverse("vouchers:edit", args=[w.file("draft").pk])),
    ("file-draft", "owner", detail("draft")),
    ("draft-form-preregistration", "owner", lambda w: reverse("vouchers:edit", args=[w.preregistered().pk])),
    (
        "draft-form-preregistration-ready",
        "owner",
        lambda w: reverse("vouchers:edit", args=[w.preregistered(checked=True).pk]),
    ),
    ("owner-home-preregistration", "owner", lambda w: w.preregistered() and reverse("vouchers:list")),
    ("file-waitlisted", "owner", lambda w: reverse("vouchers:detail", args=[w.waitlisted().pk])),
    ("owner-home-waitlisted", "owner", lambda w: w.waitlisted() and reverse("vouchers:list")),
    ("file-submitted", "owner", detail("submitted")),
    ("file-approved-claim-form", "owner", detail("approved")),
    ("file-claimed", "owner", detail("claimed")),
    ("file-paid", "owner", detail("paid")),
    ("file-refused", "owner", detail("refused")),
    ("mandates", "owner", lambda w: reverse("authority:mandates")),
    ("notifications", "owner", lambda w: w.file("submitted") and reverse("accounts:inbox")),
    ("notification-settings", "owner", lambda w: reverse("accounts:notifications")),
    ("advisor-queue", "advisor", lambda w: w.file("submitted") and reverse("vouchers:queue")),
    ("advisor-review", "advisor", lambda w: reverse("vouchers:detail", args=[w.under_review().pk])),
    ("advisor-claim-review", "advisor", lambda w: reverse("vouchers:detail", args=[w.file("claimed").pk])),
    ("payment-batches", "manager", lambda w: w.file("paid") and reverse("payments:batches")),
    (
        "payment-preview",
        "manager",
        lambda w: reverse(
            "payments:preview", args=[claim_approved_application(w.scheme, w.advisor).scheme_id]
        ),
    ),
    ("auditor-files", "auditor", lambda w: w.file("submitted") and reverse("vouchers:list")),
    ("auditor-file", "auditor", detail("approved")),
    ("auditor-flags", "auditor", lambda w: w.flagged() and reverse("fraud:list")),
    ("auditor-flagged-file", "auditor", lambda w: reverse("vouchers:detail", args=[w.flagged().pk])),
    ("provider-dashboard", "provider_member", lambda w: w.quote() and reverse("providers:dashboard")),
    ("provider-offers", "provider_member", lambda w: w.quote() and reverse("providers:offers")),
    (
        "provider-quote-request",
        "provider_member",
        lambda w: reverse("providers:quote_answer", args=[w.quote().pk]),
    ),
    ("provider-directory", None, lambda w: w.quote() and reverse("providers:directory")),
    # The public pages and the account's.
    ("accessibility", None, lambda w: reverse("core:accessibility")),
    ("legal-notice", None, lambda w: reverse("core:legal")),
    ("signup", None, lambda w: reverse("accounts:signup")),
    ("signup-done", None, lambda w: reverse("accounts:signup_done")),
    ("resend-verification", None, lambda w: reverse("accounts:resend_verification")),
    ("password-reset", None, lambda w: reverse("accounts:password_reset")),
    ("password-reset-done", None, lambda w: reverse("accounts:password_reset_done")),
    ("password-reset-complete", None, lambda w: reverse("accounts:password_reset_complete")),
    ("network-request-sent", None, lambda w: reverse("network:request_sent")),
    ("provider-signup", None, lambda w: reverse("providers:signup")),
    ("provider-page", None, lambda w: reverse("providers:detail", args=[w.quote().provider_id])),
    ("error-403", "owner", lambda w: reverse("vouchers:queue")),
    ("error-404-file", "owner", lambda w: reverse("vouchers:detail", args=[999_999])),
    ("error-403-provider-only", "owner", lambda w: reverse("providers:dashboard")),
    ("error-403-payments", "owner", lambda w: reverse("payments:batches")),
    ("error-404-letter", "owner", lambda w: reverse("vouchers:letter", args=[w.file("draft").pk])),
    ("error-404-report", "owner", lambda w: reverse("diagnostics:report", args=[w.diagnostic().pk])),
    ("error-403-preview", None, lambda w: w.debug() and reverse("core:error_preview", args=["403"])),
    ("error-404-preview", None, lambda w: w.debug() and reverse("core:error_preview", args=["404"])),
    ("error-500-preview", None, lambda w: w.debug() and reverse("core:error_preview", args=["500"])),
    # The owner's way, beyond the pages above.
    ("home-signed-in", "owner", lambda w: reverse("core:home")),
    ("diagnostic-list", "owner", lambda w: w.diagnostic(True) and reverse("diagnostics:list")),
    *(
        (
            f"diagnostic-step-{n}",
            "owner",
            lambda w, n=n: reverse("diagnostics:step", args=[w.diagnostic().pk, n]),
        )
        for n in range(2, len(Q.dimensions) + 1)
    ),
    ("who-applies", "owner", lambda w: reverse("vouchers:who_applies", args=[w.file("draft").pk])),
    (
        "provider-picker",
        "owner",
        lambda w: w.offers() and reverse("providers:pick_provider", args=[w.file("draft").pk]),
    ),
    (
        "quote-request-form",
        "owner",
        lambda w: w.offers() and reverse("providers:application_quotes", args=[w.file("draft").pk]),
    ),
    (
        "quote-request-sent",
        "owner",
        lambda w: reverse("providers:application_quotes", args=[w.quote().request.application_id]),
    ),
    ("review-form", "owner", lambda w: reverse("providers:review_new", args=[w.file("paid").pk])),
    # The advisor's.
    ("advisor-file-approved", "advisor", detail("approved")),
    ("advisor-file-paid", "advisor", detail("paid")),
    ("advisor-network", "advisor", lambda w: w.network_request() and reverse("network:dashboard")),
    (
        "advisor-network-request",
        "advisor",
        lambda w: reverse("network:request", args=[w.network_request().pk]),
    ),
    (
        "advisor-diagnostic-step",
        "advisor",
        lambda w: reverse("diagnostics:step", args=[w.diagnostic().pk, 1]),
    ),
    ("advisor-awareness-form", "advisor", lambda w: reverse("network:new_awareness")),
    ("advisor-coaching-form", "advisor", lambda w: reverse("network:new_coaching")),
    # The manager's.
    ("manager-schemes", "manager", lambda w: w.file("approved") and reverse("vouchers:schemes")),
    (
        "manager-scheme",
        "manager",
        lambda w: w.file("approved") and reverse("vouchers:scheme", args=[w.scheme.slug]),
    ),
    (
        "manager-scheme-preregistration",
        "manager",
        lambda w: reverse("vouchers:scheme", args=[w.preregistered().scheme.slug]),
    ),
    ("manager-files", "manager", lambda w: w.file("submitted") and reverse("vouchers:list")),
    ("manager-file", "manager", detail("claimed")),
    ("manager-batch", "manager", lambda w: reverse("payments:batch", args=[w.batch().pk])),
    ("manager-accreditations", "manager", lambda w: w.quote() and reverse("providers:accreditations")),
    ("manager-network", "manager", lambda w: w.network_request() and reverse("network:dashboard")),
    # The auditor's.
    ("auditor-schemes", "auditor", lambda w: w.file("approved") and reverse("vouchers:schemes")),
    ("auditor-payments", "auditor", lambda w: w.file("paid") and reverse("payments:batches")),
    ("auditor-batch", "auditor", lambda w: reverse("payments:batch", args=[w.batch().pk])),
    ("auditor-file-paid", "auditor", detail("paid")),
    # The provider's.
    ("provider-profile", "provider_member", lambda w: reverse("providers:profile")),
    ("provider-members", "provider_member", lambda w: reverse("providers:members")),
    ("provider-offer-new", "provider_member", lambda w: reverse("providers:offer_new")),
    (
        "provider-offer-edit",
        "provider_member",
        lambda w: reverse("providers:offer_edit", args=[make_offer(w.provider_member.provider).pk]),
    ),
    ("provider-notifications", "provider_member", lambda w: w.quote() and reverse("accounts:inbox")),
]

# Pages whose French is known and not fixed yet (strict: they fail once fixed, to be taken out).
KNOWN = {}


def cases():
    for page_id, who, url in PAGES:
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN[page_id])] if page_id in KNOWN else []
        yield pytest.param(who, url, id=page_id, marks=marks)


@pytest.mark.parametrize(("who", "url"), list(cases()))
def test_the_page_in_english_has_no_french_sentence_left(request, who, url):
    world = World(request)
    address = url(world)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if who:
        client.force_login(getattr(world, who))
    response = client.get(address, follow=True)
    page_id = request.node.callspec.id
    expected = (403, 404, 500) if page_id.startswith("error-") else (200,)
    assert response.status_code in expected, (address, response.status_code)
    assert not response.redirect_chain, "the page itself is checked, not where it sends to"
    html = response.content.decode()
    assert '<html lang="en"' in html
    left = french_left(html)
    assert not left, f"{page_id} ({address}) → French left:\n  " + "\n  ".join(left)


def test_the_diagnostic_report_in_english_has_no_french_sentence_left(request):
    diagnostic = World(request).diagnostic(answered=True)
    with translation.override("en"):
        html = report_html(diagnostic.owner, diagnostic)
    assert '<html lang="en"' in html
    assert not french_left(html), "\n".join(french_left(html))
