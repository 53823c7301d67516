"""Every email the platform sends, as its recipient reads it, produced by the service that sends it.

One test per call site of `notify()` or `send_email` (the accreditation and quote messages of the
providers share a template and differ by their text: each is a snapshot of its own).
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    OrganisationFactory,
    ProviderFactory,
    UserFactory,
    held_for_authority_check,
    pdf_file,
    verified_by_registry,
)
from tests.network.conftest import make_advisor
from tests.providers.conftest import add_valid_documents, make_offer
from tests.snapshots.conftest import as_text
from tremplin.accounts import services as accounts
from tremplin.accounts.models import NotificationFrequency, User
from tremplin.authority import services as authority
from tremplin.authority.models import Mandate
from tremplin.core.notifications import send_digests, set_frequency
from tremplin.network import services as network
from tremplin.network.models import MatchState, Theme
from tremplin.payments import services as payments
from tremplin.providers import accreditation, quotes, reviews, signup
from tremplin.providers.models import Document, Quote, Status
from tremplin.registry.identifiers import with_check_digit
from tremplin.registry.models import Establishment
from tremplin.vouchers import assignment
from tremplin.vouchers import services as vouchers
from tremplin.vouchers.models import Application

pytestmark = pytest.mark.django_db


def only(emails):
    assert len(emails) == 1, [m.subject for m in emails]
    return emails[0]


# --- a voucher file, step by step -------------------------------------------------------------------


@pytest.fixture
def submitted(draft):
    return vouchers.submit(draft.owner, draft)


@pytest.fixture
def under_review(submitted, advisor):
    return vouchers.start_review(advisor, submitted)


@pytest.fixture
def approved(under_review, advisor):
    return vouchers.approve(advisor, under_review, "Dossier complet.")


@pytest.fixture
def claim_under_review(approved, owner, advisor):
    vouchers.submit_claim(owner, approved, pdf_file("facture.pdf"), pdf_file("preuve.pdf"), 400_000)
    return vouchers.start_claim_review(advisor, Application.objects.get(pk=approved.pk))


@pytest.fixture
def claim_approved(claim_under_review, advisor):
    return vouchers.approve_claim(advisor, claim_under_review)


@pytest.fixture
def paid(claim_approved, scheme, manager):
    payments.mark_batch_paid(manager, payments.create_batch(manager, scheme))
    return Application.objects.get(pk=claim_approved.pk)


def test_submitted_and_funded(sent, draft, snapshot):
    email = only(sent(vouchers.submit, draft.owner, draft))
    assert as_text(email, draft) == snapshot


def test_submitted_and_waitlisted(sent, draft, scheme, snapshot):
    scheme.envelopes.update(total_cents=100_000)
    email = only(sent(vouchers.submit, draft.owner, draft))
    assert as_text(email, draft) == snapshot


def test_submitted_for_a_lottery(sent, draft, scheme, snapshot):
    scheme.allocation = scheme.Allocation.LOTTERY
    scheme.save()
    email = only(sent(vouchers.submit, draft.owner, draft))
    assert as_text(email, draft) == snapshot


def test_promoted_from_the_waiting_list(sent, draft, scheme, advisor, other_owner, snapshot):
    scheme.envelopes.update(total_cents=200_000)
    first = vouchers.submit(draft.owner, draft)
    waiting = ApplicationFactory(
        scheme=scheme,
        owner=other_owner,
        company=CompanyFactory(siren="542051180", denomination="Fleurs Bernard"),
        provider=draft.provider,
    )
    waiting = vouchers.submit(other_owner, waiting)
    assert waiting.state == "waitlisted"
    emails = sent(
        vouchers.reject, advisor, vouchers.start_review(advisor, first), "not_eligible", "Hors cible."
    )
    promoted = [m for m in emails if m.to == [other_owner.email]]
    assert as_text(only(promoted), waiting) == snapshot


def test_promoted_from_the_waiting_list_for_the_advisor(sent, draft, scheme, advisor, other_owner, snapshot):
    scheme.envelopes.update(total_cents=200_000)
    first = vouchers.submit(draft.owner, draft)
    waiting = ApplicationFactory(
        scheme=scheme,
        owner=other_owner,
        company=CompanyFactory(siren="542051180", denomination="Fleurs Bernard"),
        provider=draft.provider,
    )
    waiting = vouchers.submit(other_owner, waiting)
    emails = sent(
        vouchers.reject, advisor, vouchers.start_review(advisor, first), "not_eligible", "Hors cible."
    )
    promoted = [m for m in emails if m.to == [advisor.email] and "financée" in m.subject]
    assert as_text(only(promoted), waiting) == snapshot


def test_information_requested(sent, under_review, advisor, snapshot):
    message = "Merci de joindre un devis signé."
    email = only(sent(vouchers.request_info, advisor, under_review, message))
    assert as_text(email, under_review) == snapshot


def test_approved(sent, under_review, advisor, snapshot):
    email = only(sent(vouchers.approve, advisor, under_review, "Dossier complet."))
    assert as_text(email, under_review) == snapshot


def test_rejected(sent, under_review, advisor, snapshot):
    email = only(sent(vouchers.reject, advisor, under_review, "not_eligible", "L'entreprise est hors cible."))
    assert as_text(email, under_review) == snapshot


def test_claim_information_requested(sent, claim_under_review, advisor, snapshot):
    message = "Merci de joindre le relevé bancaire."
    email = only(sent(vouchers.request_claim_info, advisor, claim_under_review, message))
    assert as_text(email, claim_under_review) == snapshot


def test_claim_approved(sent, claim_under_review, advisor, snapshot):
    email = only(sent(vouchers.approve_claim, advisor, claim_under_review))
    assert as_text(email, claim_under_review) == snapshot


def test_paid(sent, claim_approved, scheme, manager, snapshot):
    batch = payments.create_batch(manager, scheme)
    email = only(sent(payments.mark_batch_paid, manager, batch))
    assert as_text(email, claim_approved) == snapshot


def test_clawed_back(sent, paid, manager, snapshot):
    email = only(sent(vouchers.claw_back, manager, paid, "Prestation non réalisée."))
    assert as_text(email, paid) == snapshot


def test_expiry_reminder(sent, approved, snapshot):
    email = only(sent(vouchers.send_expiry_reminders, on=approved.valid_until - timedelta(days=7)))
    assert as_text(email, approved) == snapshot


def test_expired(sent, approved, snapshot):
    email = only(sent(vouchers.expire_due, on=approved.valid_until + timedelta(days=1)))
    assert as_text(email, approved) == snapshot


def test_assigned_to_a_colleague(sent, submitted, advisor, snapshot):
    colleague = UserFactory(
        advisor=True,
        organisation=advisor.organisation,
        email="chloe.lefevre@cci-lyon.example.fr",
        first_name="Chloé",
        last_name="Lefèvre",
    )
    email = only(sent(assignment.assign, advisor, submitted, colleague))
    assert as_text(email, submitted) == snapshot


# --- what the advisors are told ------------------------------------------------------------------


def to(emails, user):
    return only([m for m in emails if m.to == [user.email]])


def test_a_new_file_for_the_advisors(sent, draft, advisor, snapshot):
    email = to(sent(vouchers.submit, draft.owner, draft), advisor)
    assert as_text(email, draft) == snapshot


def test_a_new_file_on_the_waiting_list_for_the_advisors(sent, draft, scheme, advisor, snapshot):
    scheme.envelopes.update(total_cents=100_000)
    email = to(sent(vouchers.submit, draft.owner, draft), advisor)
    assert as_text(email, draft) == snapshot


def test_a_new_file_to_check_for_the_advisors(
    sent, scheme, other_owner, advisor, provider_member, rhone, snapshot
):
    company = CompanyFactory(siren="542051180", denomination="Fleurs Bernard", departement=rhone)
    emails = sent(held_for_authority_check, scheme, other_owner, company, provider_member.provider)
    held = Application.objects.get(company=company)
    assert as_text(to(emails, advisor), held) == snapshot


def test_the_owners_answer_for_the_advisor(sent, under_review, owner, advisor, snapshot):
    asked = vouchers.request_info(advisor, under_review, "Merci de joindre un devis signé.")
    email = to(sent(vouchers.answer_info, owner, asked, "Voici le devis signé par l'agence."), advisor)
    assert as_text(email, asked) == snapshot


def test_the_owners_answer_on_the_claim_for_the_advisor(sent, claim_under_review, owner, advisor, snapshot):
    asked = vouchers.request_claim_info(advisor, claim_under_review, "Merci de joindre le relevé bancaire.")
    email = to(sent(vouchers.answer_claim_info, owner, asked, "Le relevé est joint."), advisor)
    assert as_text(email, asked) == snapshot


def test_a_claim_for_the_advisor(sent, approved, owner, advisor, snapshot):
    email = to(
        sent(
            vouchers.submit_claim, owner, approved, pdf_file("facture.pdf"), pdf_file("preuve.pdf"), 400_000
        ),
        advisor,
    )
    assert as_text(email, approved) == snapshot


def test_a_review_reminder_for_the_advisor(sent, submitted, scheme, advisor, snapshot):
    on = timezone.localdate() + timedelta(days=scheme.review_sla_days - vouchers.REVIEW_REMINDER_DAYS)
    email = to(sent(vouchers.send_review_reminders, on=on), advisor)
    assert as_text(email, submitted) == snapshot


def test_a_review_reminder_for_an_overdue_file(sent, submitted, scheme, advisor, snapshot):
    on = timezone.localdate() + timedelta(days=scheme.review_sla_days + 5)
    email = to(sent(vouchers.send_review_reminders, on=on), advisor)
    assert as_text(email, submitted) == snapshot


# --- who acts for the company ---------------------------------------------------------------------


def test_authority_confirmed_by_an_advisor(
    sent, scheme, other_owner, advisor, provider_member, rhone, snapshot
):
    company = CompanyFactory(siren="542051180", denomination="Fleurs Bernard", departement=rhone)
    held = held_for_authority_check(scheme, other_owner, company, provider_member.provider)
    assert held.state == "authority_check"
    checked = [key for key, _label in authority.CHECKLIST]
    email = only(sent(vouchers.confirm_authority, advisor, held, checked))
    assert as_text(email, held) == snapshot


def test_contested_by_the_legal_representative(
    sent, scheme, owner, other_owner, company, provider_member, snapshot
):
    held = held_for_authority_check(scheme, other_owner, company, provider_member.provider)
    verified_by_registry(owner, company)
    email = only(sent(vouchers.contest, owner, company, "Je n'ai jamais fait cette demande."))
    assert email.to == [other_owner.email]
    assert as_text(email, held) == snapshot


def test_a_contest_for_the_advisors(
    sent, scheme, owner, other_owner, company, advisor, provider_member, snapshot
):
    held = held_for_authority_check(scheme, other_owner, company, provider_member.provider)
    verified_by_registry(owner, company)
    email = to(sent(vouchers.contest, owner, company, "Je n'ai jamais fait cette demande."), advisor)
    assert as_text(email, held) == snapshot


def give_accountant_mandate(owner, company):
    return authority.give_mandate(
        owner,
        company,
        holder_email="paul.lefevre@cabinet-lefevre.example.fr",
        holder_name="Paul Lefèvre",
        kind=Mandate.Kind.ACCOUNTANT,
        valid_until=timezone.localdate() + timedelta(days=365),
    )


def test_a_mandate_given(sent, owner, company, snapshot):
    verified_by_registry(owner, company)
    email = only(sent(give_accountant_mandate, owner, company))
    assert as_text(email) == snapshot


def test_a_mandate_revoked(sent, owner, company, snapshot):
    verified_by_registry(owner, company)
    mandate = give_accountant_mandate(owner, company)
    email = only(sent(authority.revoke_mandate, owner, mandate))
    assert as_text(email) == snapshot


# --- the advisors' network -------------------------------------------------------------------------


@pytest.fixture
def theme(db):
    return Theme.objects.create(code="site-internet", label="Site internet")


@pytest.fixture
def network_advisor(rhone, theme):
    organisation = OrganisationFactory(name="CCI Lyon Métropole", departements=[rhone])
    return make_advisor(
        organisation,
        departements=[rhone],
        themes=[theme],
        email="alice.durand@cci-lyon.example.fr",
        first_name="Alice",
        last_name="Durand",
    )


def new_request(company, theme, **kwargs):
    return network.create_request(
        siret=with_check_digit(company.siren + "0001"),
        email="contact@boulangerie-martin.example.fr",
        theme_code=theme.code,
        description="Nous voulons vendre en ligne.",
        **kwargs,
    ).request


def request_ids(request):
    return {
        reverse("network:request", args=[request.pk]): "/reseau/demandes/<demande>/",
        request.reference: f"DA-{request.created_at:%Y}-<demande>",
    }


def test_a_new_request_for_an_advisor(sent, company, theme, network_advisor, snapshot):
    created = []
    emails = sent(lambda: created.append(new_request(company, theme)))
    assert as_text(to(emails, network_advisor), request_ids(created[0])) == snapshot


def test_a_new_request_confirmed_to_the_company(sent, company, theme, network_advisor, snapshot):
    created = []
    emails = sent(lambda: created.append(new_request(company, theme, phone="06 12 34 56 78")))
    (email,) = [email for email in emails if email.to == ["contact@boulangerie-martin.example.fr"]]
    assert as_text(email, request_ids(created[0])) == snapshot


def test_a_new_request_no_advisor_covers_confirmed_to_the_company(sent, company, theme, snapshot):
    created = []
    email = only(sent(lambda: created.append(new_request(company, theme))))
    assert as_text(email, request_ids(created[0])) == snapshot


def test_a_request_taken_by_an_advisor(sent, company, theme, network_advisor, snapshot):
    request = new_request(company, theme)
    match = request.matches.get()
    email = only(sent(network.change_match_state, network_advisor, match, MatchState.TAKING_CARE))
    assert as_text(email, request_ids(request)) == snapshot


def test_a_request_reassigned_by_a_manager(sent, company, theme, network_advisor, manager, rhone, snapshot):
    request = new_request(company, theme)
    other = make_advisor(
        OrganisationFactory(name="CMA Rhône", departements=[rhone]),
        departements=[rhone],
        themes=[],
        email="marc.girard@cma-rhone.example.fr",
        first_name="Marc",
        last_name="Girard",
    )
    email = only(sent(network.reassign_match, manager, request.matches.get(), other))
    assert as_text(email, request_ids(request)) == snapshot


def test_a_reminder_of_a_pending_request(sent, company, theme, network_advisor, snapshot):
    request = new_request(company, theme)
    email = only(sent(network.send_match_reminders, timezone.localdate() + timedelta(days=9)))
    assert as_text(email, request_ids(request)) == snapshot


# --- providers -------------------------------------------------------------------------------------


@pytest.fixture
def establishment(rhone):
    company = CompanyFactory(siren="443061841", denomination="Agence Web Lumière", departement=rhone)
    siret = with_check_digit(company.siren + "0001")
    return Establishment.objects.create(
        siret=siret,
        company=company,
        nic=siret[9:],
        is_head_office=True,
        commune_name="Lyon",
        postal_code="69001",
    )


def test_a_provider_signs_up_and_confirms_its_address(sent, establishment, snapshot):
    created = []

    def sign_up():
        created.append(
            signup.sign_up(
                siret=establishment.siret,
                name="Agence Web Lumière",
                email="lea.moreau@agence-lumiere.example.fr",
                password="un-mot-de-passe-solide",
                first_name="Léa",
                last_name="Moreau",
            )
        )

    email = only(sent(sign_up))
    member = User.objects.get(email="lea.moreau@agence-lumiere.example.fr")
    assert as_text(email, {accounts.verification_token(member): "<jeton>"}) == snapshot


@pytest.mark.parametrize(
    "steps",
    [
        ("start_review",),
        ("start_review", "accredit"),
        ("start_review", "refuse"),
        ("start_review", "accredit", "suspend"),
        ("start_review", "accredit", "suspend", "reinstate"),
        ("start_review", "refuse", "request_again"),
    ],
    ids=lambda steps: steps[-1],
)
def test_an_accreditation_decision(sent, manager, steps, snapshot):
    provider = ProviderFactory(name="Agence Web Lumière", status=Status.REQUESTED)
    member = UserFactory(
        provider_member=True,
        provider=provider,
        email="lea.moreau@agence-lumiere.example.fr",
        first_name="Léa",
        last_name="Moreau",
    )
    add_valid_documents(provider, member)
    reasons = {"refuse": "Attestation d'assurance illisible.", "suspend": "Plaintes répétées de clients."}
    *before, last = steps
    for action in before:
        accreditation.act(
            member if action == "request_again" else manager, provider, action, reasons.get(action)
        )
    actor = member if last == "request_again" else manager
    email = only(sent(accreditation.act, actor, provider, last, reasons.get(last)))
    assert as_text(email) == snapshot


def test_an_accreditation_that_expires(sent, provider_member, snapshot):
    provider = provider_member.provider
    provider.documents.all().delete()  # only the documents uploaded here
    add_valid_documents(provider, provider_member, days=20)
    email = only(sent(accreditation.expire_accreditations, on=timezone.localdate() + timedelta(days=21)))
    assert as_text(email) == snapshot


def test_a_document_to_renew(sent, provider_member, snapshot):
    provider = provider_member.provider
    provider.documents.all().delete()  # only the documents uploaded here
    add_valid_documents(provider, provider_member, days=20)
    Document.objects.filter(kind=Document.Kind.INSURANCE).update(reminded_on=timezone.localdate())
    email = only(sent(accreditation.send_renewal_reminders))
    assert as_text(email) == snapshot


def test_a_colleague_invited(sent, provider_member, snapshot):
    email = only(
        sent(
            signup.add_member,
            provider_member,
            provider_member.provider,
            "noe.fontaine@agence-lumiere.example.fr",
            "Noé",
            "Fontaine",
        )
    )
    assert as_text(email) == snapshot


@pytest.fixture
def quote_draft(draft, provider_member):
    """A draft without provider nor quote yet; the provider offers websites in the Rhône."""
    make_offer(provider_member.provider, "website", title="Site vitrine et boutique")
    Application.objects.filter(pk=draft.pk).update(provider=None, quote="", planned_spend_cents=None)
    return Application.objects.get(pk=draft.pk)


def ask_for_a_quote(owner, application, provider):
    return quotes.request_quotes(
        owner, application, [provider], "website", "Un site vitrine et une boutique."
    )


def answer(quote, member):
    return quotes.answer_quote(
        member,
        quote,
        amount_cents=350_000,
        category="website",
        file=pdf_file("devis.pdf"),
        message="Nous pouvons commencer début mars.",
    )


def test_a_quote_requested(sent, owner, quote_draft, provider_member, snapshot):
    email = only(sent(ask_for_a_quote, owner, quote_draft, provider_member.provider))
    assert as_text(email) == snapshot


def test_a_quote_received(sent, owner, quote_draft, provider_member, snapshot):
    request = ask_for_a_quote(owner, quote_draft, provider_member.provider)
    email = only(sent(answer, request.quotes.get(), provider_member))
    assert as_text(email, quote_draft) == snapshot


def test_a_quote_declined(sent, owner, quote_draft, provider_member, snapshot):
    request = ask_for_a_quote(owner, quote_draft, provider_member.provider)
    email = only(
        sent(
            quotes.decline_quote,
            provider_member,
            request.quotes.get(),
            "Notre carnet est plein jusqu'en juin.",
        )
    )
    assert as_text(email, quote_draft) == snapshot


def test_a_quote_chosen(sent, owner, quote_draft, provider_member, snapshot):
    request = ask_for_a_quote(owner, quote_draft, provider_member.provider)
    answer(request.quotes.get(), provider_member)
    email = only(sent(quotes.choose_quote, owner, Quote.objects.get(request=request)))
    assert as_text(email) == snapshot


def test_a_chosen_quote_replaced(sent, owner, quote_draft, provider_member, snapshot):
    request = ask_for_a_quote(owner, quote_draft, provider_member.provider)
    answer(request.quotes.get(), provider_member)
    quote = quotes.choose_quote(owner, Quote.objects.get(request=request))
    email = only(sent(quotes.replace_chosen, owner, quote))
    assert as_text(email) == snapshot


def test_a_review_posted(sent, owner, paid, provider_member, snapshot):
    email = only(
        sent(
            reviews.post_review,
            owner,
            paid,
            quality=5,
            deadlines=4,
            communication=5,
            text="Site livré à temps, équipe à l'écoute.",
        )
    )
    assert as_text(email) == snapshot


# --- accounts and digests --------------------------------------------------------------------------


def test_the_address_verification_of_a_new_owner(sent, snapshot):
    email = only(
        sent(accounts.register_owner, "Emma.Garnier@Example.fr", "un-mot-de-passe-solide", "Emma", "Garnier")
    )
    user = User.objects.get(email="emma.garnier@example.fr")
    assert as_text(email, {accounts.verification_token(user): "<jeton>"}) == snapshot


def test_a_sign_up_with_an_address_that_has_an_account(sent, owner, snapshot):
    email = only(
        sent(accounts.register_owner, owner.email.upper(), "un-mot-de-passe-solide", "Emma", "Garnier")
    )
    assert email.to == [owner.email]
    assert as_text(email) == snapshot


def test_a_password_reset(client, owner, snapshot, mailoutbox):
    client.post(reverse("accounts:password_reset"), {"email": owner.email})
    email = only(mailoutbox)
    uid = urlsafe_base64_encode(force_bytes(owner.pk))
    token = default_token_generator.make_token(User.objects.get(pk=owner.pk))
    assert as_text(email, {f"/{uid}/{token}/": "/<uid>/<jeton>/"}) == snapshot


@pytest.mark.parametrize("frequency", [NotificationFrequency.DAILY, NotificationFrequency.WEEKLY])
def test_a_digest(sent, draft, advisor, frequency, time_machine, snapshot):
    set_frequency(draft.owner, frequency)
    submitted = vouchers.submit(draft.owner, draft)
    time_machine.shift(timedelta(hours=2))
    under_review = vouchers.start_review(advisor, submitted)
    vouchers.request_info(advisor, under_review, "Merci de joindre un devis signé.")
    time_machine.shift(timedelta(hours=12))
    email = only(sent(send_digests, frequency, timezone.now()))
    assert as_text(email, submitted) == snapshot


def test_what_was_held_leaves_when_the_owner_asks_for_immediate_emails(sent, draft, snapshot):
    set_frequency(draft.owner, NotificationFrequency.DAILY)
    submitted = vouchers.submit(draft.owner, draft)
    email = only(sent(set_frequency, draft.owner, NotificationFrequency.IMMEDIATE))
    assert as_text(email, submitted) == snapshot


def test_recovery_codes_regenerated(sent, client_for, manager, snapshot):
    from tests.second_factor import fresh_code

    client = client_for(manager)
    url = reverse("accounts:security")
    email = only(sent(client.post, url, {"action": "regenerate", "r-code": fresh_code(manager)}))
    assert as_text(email) == snapshot


def test_second_factor_reset(sent, client_for, manager, snapshot):
    from tests.second_factor import fresh_code

    client = client_for(manager)
    email = only(
        sent(client.post, reverse("accounts:security"), {"action": "reset", "d-code": fresh_code(manager)})
    )
    assert as_text(email) == snapshot


def test_proconnect_linked(sent, snapshot):
    from tests.factories import UserFactory
    from tremplin.accounts.proconnect import Identity
    from tremplin.accounts.services import proconnect_sign_in

    advisor = UserFactory(advisor=True, email="camille.durand@cci.example.fr")
    identity = Identity("sub-1", advisor.email, "Camille", "Durand", "13002526500013", "eidas1", "id-token")
    email = only(sent(proconnect_sign_in, identity))
    assert as_text(email) == snapshot


def test_budget_alert(sent, draft, scheme, manager, snapshot):
    from tremplin.steering.alerts import send_budget_alerts

    scheme.envelopes.update(total_cents=400_000)
    vouchers.submit(draft.owner, draft)  # 2 000 € of 4 000 €: the 50 % threshold
    email = only(sent(send_budget_alerts))
    assert as_text(email) == snapshot


def test_no_email_template_is_left_without_a_snapshot():
    """A new template under */emails/ needs a test here (the list is the one this module covers)."""
    found = {
        path.as_posix().split("/templates/", 1)[1]
        for path in Path(settings.BASE_DIR, "tremplin").rglob("emails/*.txt")
    }
    assert found == COVERED_TEMPLATES


COVERED_TEMPLATES = {
    "accounts/emails/account_exists.txt",
    "accounts/emails/password_reset.txt",
    "accounts/emails/password_reset_subject.txt",
    "accounts/emails/proconnect_linked.txt",
    "accounts/emails/recovery_codes_regenerated.txt",
    "accounts/emails/second_factor_reset.txt",
    "accounts/emails/verify_email.txt",
    "authority/emails/mandate_given.txt",
    "authority/emails/mandate_revoked.txt",
    "core/emails/digest.txt",
    "network/emails/new_match.txt",
    "network/emails/reminder.txt",
    "network/emails/request_received.txt",
    "network/emails/taken.txt",
    "steering/emails/budget_alert.txt",
    "providers/emails/invitation.txt",
    "providers/emails/message.txt",
    "providers/emails/quote_answer.txt",
    "vouchers/emails/advisor_answer.txt",
    "vouchers/emails/advisor_claim.txt",
    "vouchers/emails/advisor_contested.txt",
    "vouchers/emails/advisor_new_file.txt",
    "vouchers/emails/advisor_review_reminder.txt",
    "vouchers/emails/approved.txt",
    "vouchers/emails/assigned.txt",
    "vouchers/emails/authority_confirmed.txt",
    "vouchers/emails/claim_approved.txt",
    "vouchers/emails/clawed_back.txt",
    "vouchers/emails/contested.txt",
    "vouchers/emails/expired.txt",
    "vouchers/emails/info_requested.txt",
    "vouchers/emails/paid.txt",
    "vouchers/emails/promoted.txt",
    "vouchers/emails/rejected.txt",
    "vouchers/emails/reminder.txt",
    "vouchers/emails/submitted.txt",
}
