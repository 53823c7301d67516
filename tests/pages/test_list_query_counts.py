"""Every list page runs a pinned number of queries, the same with 3 rows as with 6 (no N+1).

Each test builds rows through the real services, loads the page once to warm the per-process caches,
then counts the queries of the page holding 3 rows and holding 6; it also checks that every row is on
the page, so that a filter hiding them cannot make the count meaningless. A change of a count is a
decision: say in the commit why the page needs one query more (or fewer).
"""

from datetime import timedelta
from itertools import count

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.diagnostics.conftest import answer_all
from tests.diagnostics.helpers import all_minimum
from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    OrganisationFactory,
    ProviderFactory,
    UserFactory,
    pdf_file,
)
from tests.network.conftest import make_advisor
from tests.providers.conftest import make_offer, paid_application
from tremplin.diagnostics import services as diagnostics
from tremplin.network import services as network
from tremplin.network.models import Request, Theme
from tremplin.payments import services as payments
from tremplin.providers import quotes, reviews
from tremplin.providers.models import Status
from tremplin.registry.identifiers import with_check_digit
from tremplin.vouchers import assignment
from tremplin.vouchers import services as vouchers
from tremplin.vouchers.models import Application

pytestmark = pytest.mark.django_db

SERIAL = count(1)

# The pinned counts. A logged-in page starts with its session and its user; most read the DSFR site settings.
# Staff pages (advisor, manager, auditor) also read the TOTP device that verified the session (django-otp).
LIST_QUERIES = {"owner": 7, "advisor": 6, "manager": 6, "auditor": 6}
QUEUE_QUERIES = {"organisation": 6, "mine": 6, "unassigned": 6, "expires_soon": 6}
# The file page also reads who applies: the representation (with its mandate and deciding advisor), the
# applicant shown to the advisor, and whether the advisor may confirm the account; the messages'
# attachments in one more; the fraud flags of the file in five (its claim, the files it could match,
# their claims, addresses and quotes).
TIMELINE_QUERIES = 21
ASSIGN_QUERIES = {"advisor": 6, "manager": 6}
BATCHES_QUERIES = 8
BATCH_QUERIES = 6
DIRECTORY_QUERIES = 5
ACCREDITATIONS_QUERIES = 6
PROVIDER_DASHBOARD_QUERIES = 12
OFFERS_QUERIES = 6
MEMBERS_QUERIES = 5
# The quote page also filters the providers to ask: départements, count, page, the checkboxes' providers.
QUOTES_QUERIES = 10
PICK_PROVIDER_QUERIES = 8
PROVIDER_PAGE_QUERIES = {"anonymous": 5, "owner": 7, "manager": 21}
ADVISOR_DASHBOARD_QUERIES = 9
NATIONAL_QUEUE_QUERIES = 7
REQUEST_QUERIES = 7
SCHEMES_QUERIES = 5
DIAGNOSTIC_LIST_QUERIES = {"owner": 5, "advisor": 8, "manager": 6}


def serial():
    return next(SERIAL)


@pytest.fixture
def queries_do_not_grow(django_assert_num_queries):
    """`queries_do_not_grow(client, url, add_row, expected)`: `add_row()` adds one row and returns the
    text (or texts) the page shows for it; the page runs `expected` queries with 3 rows and with 6."""

    def check(client, url, add_row, expected):
        rows, shown = 0, []
        for total in (3, 6):
            while rows < total:
                texts = add_row()
                shown.extend([texts] if isinstance(texts, str) else texts)
                rows += 1
            client.get(url)  # warm the per-process caches (content types, site settings)
            with django_assert_num_queries(expected):
                response = client.get(url)
            assert response.status_code == 200
            page = response.content.decode()
            assert [text for text in shown if text not in page] == []

    return check


# --- voucher files ---------------------------------------------------------------------------------


def new_file(scheme, owner, provider=None):
    n = serial()
    return ApplicationFactory(
        scheme=scheme,
        owner=owner,
        company=CompanyFactory(denomination=f"Entreprise {n:03d}"),
        **({"provider": provider} if provider else {}),
    )


def file_in(state, scheme, owner, advisor, provider=None):
    """A file of `owner` driven through the services to `state`."""
    application = new_file(scheme, owner, provider)
    if state == "draft":
        return application
    application = vouchers.submit(owner, application)
    if state == "submitted":
        return application
    application = vouchers.start_review(advisor, application)
    if state == "under_review":
        return application
    return vouchers.approve(advisor, application)


def cycling(states):
    """One state after the other, round and round: the rows of a page mix the states."""
    position = count()
    return lambda: states[next(position) % len(states)]


@pytest.mark.parametrize("role", LIST_QUERIES)
def test_the_file_list(role, request, client_for, scheme, owner, advisor, queries_do_not_grow):
    states = cycling(["draft", "submitted", "approved"] if role == "owner" else ["submitted", "approved"])

    def add_row():
        return file_in(states(), scheme, owner, advisor).reference

    user = request.getfixturevalue(role)
    queries_do_not_grow(client_for(user), reverse("vouchers:list"), add_row, LIST_QUERIES[role])


@pytest.mark.parametrize("tab", QUEUE_QUERIES)
def test_the_advisor_queue(tab, client_for, scheme, owner, advisor, queries_do_not_grow):
    colleague = UserFactory(advisor=True, organisation=advisor.organisation, last_name="Collègue")
    every_other = cycling([True, False])

    def add_row():
        if tab == "expires_soon":
            application = file_in("approved", scheme, owner, advisor)
            Application.objects.filter(pk=application.pk).update(
                valid_until=timezone.localdate() + timedelta(days=10)
            )
            return application.reference
        application = file_in("submitted", scheme, owner, advisor)
        if tab == "mine" or (tab == "organisation" and every_other()):
            assignment.assign(advisor, application, advisor if tab == "mine" else colleague)
        return application.reference

    url = reverse("vouchers:queue") + ("?expires_soon=on" if tab == "expires_soon" else f"?tab={tab}")
    queries_do_not_grow(client_for(advisor), url, add_row, QUEUE_QUERIES[tab])


def test_the_timeline_of_a_file(client_for, draft, advisor, queries_do_not_grow):
    """The file page lists its audit events and its messages: a round of questions adds two of each."""
    application = vouchers.start_review(advisor, vouchers.submit(draft.owner, draft))
    url = reverse("vouchers:detail", args=[application.pk])

    def add_row():
        nonlocal application
        n = serial()
        application = vouchers.request_info(advisor, application, f"Question numéro {n}")
        application = vouchers.answer_info(
            draft.owner, application, f"Réponse numéro {n}", [pdf_file(f"a{n}.pdf"), pdf_file(f"b{n}.pdf")]
        )
        return f"Réponse numéro {n}"

    queries_do_not_grow(client_for(advisor), url, add_row, TIMELINE_QUERIES)


@pytest.mark.parametrize("role", ["advisor", "manager"])
def test_the_advisors_a_file_can_be_given_to(role, request, client_for, draft, advisor, queries_do_not_grow):
    application = vouchers.submit(draft.owner, draft)

    def add_row():
        colleague = UserFactory(
            advisor=True, organisation=advisor.organisation, last_name=f"Collègue{serial():03d}"
        )
        return colleague.last_name

    url = reverse("vouchers:assign", args=[application.pk])
    queries_do_not_grow(client_for(request.getfixturevalue(role)), url, add_row, ASSIGN_QUERIES[role])


# --- payments --------------------------------------------------------------------------------------


def claim_approved(scheme, owner, advisor, provider=None):
    application = file_in("approved", scheme, owner, advisor, provider)
    vouchers.submit_claim(owner, application, pdf_file(), pdf_file(), application.planned_spend_cents)
    application = vouchers.start_claim_review(advisor, Application.objects.get(pk=application.pk))
    return vouchers.approve_claim(advisor, application)


def test_the_payment_batches(client_for, scheme, owner, advisor, manager, queries_do_not_grow):
    def add_row():
        claim_approved(scheme, owner, advisor)
        return payments.create_batch(manager, scheme).message_id

    queries_do_not_grow(client_for(manager), reverse("payments:batches"), add_row, BATCHES_QUERIES)


def test_the_lines_of_a_payment_batch(client_for, scheme, owner, advisor, manager, django_assert_num_queries):
    """A batch of 3 files and a batch of 6: their pages run the same queries."""
    client = client_for(manager)
    for size in (3, 6):
        references = [claim_approved(scheme, owner, advisor).reference for _ in range(size)]
        batch = payments.create_batch(manager, scheme)
        url = reverse("payments:batch", args=[batch.pk])
        client.get(url)
        with django_assert_num_queries(BATCH_QUERIES):
            page = client.get(url).content.decode()
        assert [ref for ref in references if ref not in page] == []


# --- providers -------------------------------------------------------------------------------------


def test_the_directory(client, rhone, queries_do_not_grow):
    def add_row():
        provider = ProviderFactory(name=f"Agence Annuaire {serial():03d}")
        make_offer(provider, "website", departements=[rhone])
        make_offer(provider, "training", departements=[rhone])
        return provider.name

    queries_do_not_grow(client, reverse("providers:directory"), add_row, DIRECTORY_QUERIES)


def test_the_accreditation_list(client_for, manager, queries_do_not_grow):
    def add_row():
        return ProviderFactory(name=f"Agence Candidate {serial():03d}", status=Status.UNDER_REVIEW).name

    queries_do_not_grow(
        client_for(manager), reverse("providers:accreditations"), add_row, ACCREDITATIONS_QUERIES
    )


def test_the_provider_dashboard(client_for, scheme, provider_member, advisor, manager, queries_do_not_grow):
    """Its lists: quotes to answer, files under way, payments and paid files."""
    provider = provider_member.provider
    make_offer(provider, "website")

    def add_row():
        owner = UserFactory()
        quotes.request_quotes(owner, new_file(scheme, owner, None), [provider], "website", "Un site vitrine")
        under_way = file_in("submitted", scheme, UserFactory(), advisor, provider)
        paid = paid_application(provider, UserFactory(), advisor, manager)
        return [f"{under_way.reference} – {under_way.company.display_name}", f"{paid.reference} : virement"]

    url = reverse("providers:dashboard")
    queries_do_not_grow(client_for(provider_member), url, add_row, PROVIDER_DASHBOARD_QUERIES)


def test_the_offers_of_a_provider(client_for, provider_member, queries_do_not_grow):
    def add_row():
        return make_offer(provider_member.provider, "website", title=f"Offre numéro {serial():03d}").title

    queries_do_not_grow(client_for(provider_member), reverse("providers:offers"), add_row, OFFERS_QUERIES)


def test_the_team_of_a_provider(client_for, provider_member, queries_do_not_grow):
    def add_row():
        n = serial()
        return UserFactory(
            provider_member=True, provider=provider_member.provider, email=f"membre{n}@agence.example.fr"
        ).email

    queries_do_not_grow(client_for(provider_member), reverse("providers:members"), add_row, MEMBERS_QUERIES)


def test_the_quotes_of_a_file(client_for, draft, queries_do_not_grow):
    """Closed requests stay listed with their quote: each row is one provider asked, answering, chosen."""
    Application.objects.filter(pk=draft.pk).update(provider=None, quote="", planned_spend_cents=None)
    application = Application.objects.get(pk=draft.pk)

    def add_row():
        member = UserFactory(
            provider_member=True, provider=ProviderFactory(name=f"Agence Devis {serial():03d}")
        )
        make_offer(member.provider, "website")
        quote_request = quotes.request_quotes(
            application.owner, application, [member.provider], "website", "Un site vitrine"
        )
        quote = quotes.answer_quote(
            member, quote_request.quotes.get(), amount_cents=300_000, category="website", file=pdf_file()
        )
        quotes.choose_quote(application.owner, quote)
        return member.provider.name

    url = reverse("providers:application_quotes", args=[application.pk])
    queries_do_not_grow(client_for(application.owner), url, add_row, QUOTES_QUERIES)


@pytest.mark.parametrize("viewer", ["anonymous", "owner", "manager"])
def test_the_public_page_of_a_provider(
    viewer, request, client, client_for, provider_member, advisor, manager, queries_do_not_grow
):
    """Its offers and its reviews (a review comes from a paid file)."""
    provider = provider_member.provider

    def add_row():
        n = serial()
        make_offer(provider, "website", title=f"Offre publique {n:03d}")
        author = UserFactory()
        application = paid_application(provider, author, advisor, manager)
        reviews.post_review(
            author,
            application,
            quality=4,
            deadlines=5,
            communication=4,
            text=f"Avis numéro {n:03d}, très bien.",
        )
        return f"Avis numéro {n:03d}"

    viewer_client = client if viewer == "anonymous" else client_for(request.getfixturevalue(viewer))
    url = reverse("providers:detail", args=[provider.pk])
    queries_do_not_grow(viewer_client, url, add_row, PROVIDER_PAGE_QUERIES[viewer])


# --- the advisors' network -------------------------------------------------------------------------


@pytest.fixture
def theme(db):
    return Theme.objects.create(code="site-internet", label="Site internet")


def new_request(theme):
    company = CompanyFactory(denomination=f"Entreprise Réseau {serial():03d}")
    network.create_request(
        siret=with_check_digit(company.siren + "0001"),
        email="contact@example.fr",
        theme_code=theme.code,
        description="Nous voulons vendre en ligne.",
    )
    return company


def test_the_advisor_dashboard(client_for, rhone, theme, queries_do_not_grow):
    organisation = OrganisationFactory(name="CCI Lyon Métropole", departements=[rhone])
    advisor = make_advisor(organisation, departements=[rhone], themes=[theme], last_name="Durand")

    def add_row():
        # A request for them, and a colleague in the table of the organisation.
        make_advisor(organisation, departements=[], themes=[], last_name=f"Collègue{serial():03d}")
        return new_request(theme).display_name

    queries_do_not_grow(client_for(advisor), reverse("network:dashboard"), add_row, ADVISOR_DASHBOARD_QUERIES)


@pytest.mark.parametrize("role", ["manager", "auditor"])
def test_the_national_queue(role, request, client_for, theme, queries_do_not_grow):
    """Requests no advisor covers wait in the national queue."""

    def add_row():
        return with_check_digit(new_request(theme).siren + "0001")

    user = request.getfixturevalue(role)
    queries_do_not_grow(client_for(user), reverse("network:national_queue"), add_row, NATIONAL_QUEUE_QUERIES)


def test_the_advisors_of_a_request(client_for, rhone, theme, manager, queries_do_not_grow):
    """The request page lists its matches; the manager sends it to one more advisor each time."""
    request_ = Request.objects.get(company=new_request(theme))
    organisation = OrganisationFactory(name="CCI Lyon Métropole", departements=[rhone])

    def add_row():
        advisor = make_advisor(
            organisation, departements=[rhone], themes=[theme], last_name=f"Conseiller{serial():03d}"
        )
        network.assign_request(manager, request_, advisor)
        return advisor.last_name

    url = reverse("network:request", args=[request_.pk])
    queries_do_not_grow(client_for(manager), url, add_row, REQUEST_QUERIES)


# --- diagnostics -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "advisor", "manager"])
def test_the_diagnostic_list(role, request, client_for, owner, queries_do_not_grow):
    finished = cycling([True, False])

    def add_row():
        company = CompanyFactory(denomination=f"Entreprise Diagnostic {serial():03d}")
        diagnostic, _created = diagnostics.start(owner, company)
        if finished():
            answer_all(owner, diagnostic, all_minimum())
            diagnostics.complete(owner, diagnostic)
        return company.display_name

    user = request.getfixturevalue(role)
    queries_do_not_grow(client_for(user), reverse("diagnostics:list"), add_row, DIAGNOSTIC_LIST_QUERIES[role])


def test_the_schemes_and_their_budget(client_for, manager, queries_do_not_grow):
    from tests.factories import EnvelopeFactory, SchemeFactory

    def add_row():
        scheme = SchemeFactory(name=f"Dispositif {serial()}")
        EnvelopeFactory(scheme=scheme)
        EnvelopeFactory(scheme=scheme, year=2030)
        return scheme.name

    queries_do_not_grow(client_for(manager), reverse("vouchers:schemes"), add_row, SCHEMES_QUERIES)


def test_the_providers_a_draft_may_choose(client_for, draft, rhone, queries_do_not_grow):
    def add_row():
        provider = ProviderFactory(name=f"Agence Choix {serial():03d}")
        make_offer(provider, "website", departements=[rhone])
        return provider.name

    url = reverse("providers:pick_provider", args=[draft.pk])
    queries_do_not_grow(client_for(draft.owner), url, add_row, PICK_PROVIDER_QUERIES)
