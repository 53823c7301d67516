"""Quotes in the platform and reviews after payment, end to end through the pages; the permission matrix."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from tests.factories import ApplicationFactory, ProviderFactory, pdf_file
from tests.providers.conftest import login, make_offer, paid_application
from tremplin.core.errors import Conflict, ServiceError
from tremplin.core.models import AuditEvent
from tremplin.providers import quality, quotes, reviews
from tremplin.providers.models import Provider, QualityThreshold, Quote, QuoteRequest, Review
from tremplin.registry.models import Commune
from tremplin.vouchers import services as vouchers
from tremplin.vouchers.models import Application

pytestmark = pytest.mark.django_db


def request_page(application):
    return reverse("providers:application_quotes", args=[application.pk])


def ask(owner, draft, *providers, category="website"):
    return login(owner).post(
        request_page(draft),
        {
            "category": category,
            "description": "Un site vitrine avec réservation.",
            "providers": [p.pk for p in providers],
        },
    )


def answer(member, quote, amount="2 500", category="website"):
    return login(member).post(
        reverse("providers:quote_answer", args=[quote.pk]),
        {"_action": "answer", "category": category, "amount": amount, "file": pdf_file("devis.pdf")},
    )


def test_an_owner_gets_quotes_and_the_chosen_one_joins_the_draft(owner, draft, member, other_member):
    assert ask(owner, draft, member.provider, other_member.provider).status_code == 302
    request = QuoteRequest.objects.get()
    mine = request.quotes.get(provider=member.provider)
    theirs = request.quotes.get(provider=other_member.provider)

    assert answer(member, mine, "2 500").status_code == 302
    assert answer(other_member, theirs, "3 100").status_code == 302
    page = login(owner).get(request_page(draft)).content.decode()
    assert "2\u202f500 €" in page and "3\u202f100 €" in page

    response = login(owner).post(reverse("providers:quote_choose", args=[mine.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.provider == member.provider
    assert draft.planned_spend_cents == 250_000 and draft.spend_category == "website"
    with draft.quote.open("rb") as handle:
        assert handle.read().startswith(b"%PDF")
    assert Quote.objects.get(pk=theirs.pk).state == Quote.State.NOT_CHOSEN
    request.refresh_from_db()
    assert request.state == QuoteRequest.State.CLOSED
    # The file is complete: the owner can submit it.
    assert vouchers.submit(owner, draft).state == "submitted"


def test_quotes_are_asked_from_three_providers_at_most(owner, draft, member, other_member):
    extra = [
        make_offer(p).provider
        for p in (ProviderFactory(siret=f"7328293200{i}{i}{i}{i}"[:14], name=f"P{i}") for i in range(2))
    ]
    response = ask(owner, draft, member.provider, other_member.provider, *extra)
    assert "3 prestataires au plus" in response.content.decode()
    assert not QuoteRequest.objects.exists()


def test_a_quote_for_a_category_the_provider_does_not_offer_is_refused(owner, draft, member):
    ask(owner, draft, member.provider)
    quote = Quote.objects.get()
    response = answer(member, quote, category="cybersecurity")
    assert response.status_code == 400
    assert "pas d&#x27;offre dans cette catégorie" in response.content.decode()
    quote.refresh_from_db()
    assert quote.state == Quote.State.REQUESTED and quote.amount_cents is None and not quote.file


def test_a_quote_far_above_the_catalogue_is_flagged_to_the_advisor(owner, draft, member, advisor):
    QualityThreshold.objects.create(metric="quote_above_catalogue", limit="1.20")
    ask(owner, draft, member.provider)
    quote = Quote.objects.get()
    answer(member, quote, "9 000")  # the catalogue goes up to 3 000 EUR
    quote.refresh_from_db()
    assert quote.above_catalogue and quote.catalogue_max_cents == 300_000
    login(owner).post(reverse("providers:quote_choose", args=[quote.pk]))
    draft.refresh_from_db()
    vouchers.submit(owner, draft)
    page = login(advisor).get(request_page(draft)).content.decode()
    assert "Au-delà du catalogue" in page
    assert "Au-delà du catalogue" not in login(owner).get(request_page(draft)).content.decode()
    assert quality.price_flags(draft) == [quote]


def test_a_provider_never_sees_another_providers_quotes_or_clients(owner, draft, member, other_member):
    ask(owner, draft, other_member.provider)
    theirs = Quote.objects.get(provider=other_member.provider)
    answer(other_member, theirs)
    client = login(member)
    assert client.get(reverse("providers:quote_answer", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("providers:quote_file", args=[theirs.pk])).status_code == 404
    assert client.get(request_page(draft)).status_code == 404
    assert client.post(reverse("providers:quote_choose", args=[theirs.pk])).status_code == 404
    dashboard = client.get(reverse("providers:dashboard")).content.decode()
    assert draft.company.display_name not in dashboard


def test_other_owners_cannot_see_or_choose_quotes(owner, draft, member):
    from tests.factories import UserFactory

    ask(owner, draft, member.provider)
    quote = Quote.objects.get()
    answer(member, quote)
    stranger = login(UserFactory())
    assert stranger.get(request_page(draft)).status_code == 404
    assert stranger.post(reverse("providers:quote_choose", args=[quote.pk])).status_code == 404
    assert Quote.objects.get(pk=quote.pk).state == Quote.State.ANSWERED


def test_a_provider_cannot_submit_an_application_for_a_client(scheme, member):
    application = ApplicationFactory(scheme=scheme, provider=member.provider)
    client = login(member)
    response = client.post(reverse("vouchers:edit", args=[application.pk]), {"_action": "submit"})
    assert response.status_code == 403
    assert client.post(reverse("vouchers:act", args=[application.pk, "withdraw"])).status_code == 404
    with pytest.raises(Exception) as error:
        vouchers.submit(member, application)
    assert getattr(error.value, "code", "") == "forbidden"
    assert Application.objects.get(pk=application.pk).state == "draft"


def test_a_review_without_a_paid_voucher_is_refused(owner, scheme, member):
    application = ApplicationFactory(scheme=scheme, owner=owner, provider=member.provider)
    response = login(owner).post(
        reverse("providers:review_new", args=[application.pk]),
        {"quality": "5", "deadlines": "5", "communication": "5", "text": "Parfait, je recommande."},
    )
    assert response.status_code == 400
    assert "une fois votre chèque payé" in response.content.decode()
    assert not Review.objects.exists()


def test_an_owner_reviews_a_paid_voucher_once_and_the_provider_answers_once(owner, member, advisor, manager):
    application = paid_application(member.provider, owner, advisor, manager)
    url = reverse("providers:review_new", args=[application.pk])
    data = {"quality": "4", "deadlines": "3", "communication": "5", "text": "Site livré, un peu en retard."}
    assert login(owner).post(url, data).status_code == 302
    provider = Provider.objects.get(pk=member.provider_id)
    assert provider.rating_count == 1 and str(provider.rating_avg) == "4.00"

    second = login(owner).post(url, data)
    assert "déjà donné votre avis" in second.content.decode()
    assert Review.objects.count() == 1

    review = Review.objects.get()
    login(member).post(
        reverse("providers:review_answer", args=[review.pk]), {"answer": "Merci, désolés du retard."}
    )
    login(member).post(reverse("providers:review_answer", args=[review.pk]), {"answer": "Deuxième réponse"})
    review.refresh_from_db()
    assert review.answer == "Merci, désolés du retard."
    assert "Site livré" in login(owner).get(reverse("providers:detail", args=[provider.pk])).content.decode()


def test_managers_moderate_reviews_and_the_rating_follows(owner, member, advisor, manager):
    application = paid_application(member.provider, owner, advisor, manager)
    review = reviews.post_review(
        owner,
        application,
        quality=1,
        deadlines=1,
        communication=1,
        text="Injurieux et hors sujet.",
        is_complaint=True,
    )
    login(member).post(reverse("providers:review_moderate", args=[review.pk]), {"reason": "non"})
    assert Review.objects.get().state == Review.State.PUBLISHED
    login(manager).post(
        reverse("providers:review_moderate", args=[review.pk]), {"reason": "Propos injurieux."}
    )
    assert Review.objects.get().state == Review.State.HIDDEN
    provider = Provider.objects.get(pk=member.provider_id)
    assert provider.rating_count == 0 and provider.rating_avg is None
    assert (
        "Injurieux" not in login(owner).get(reverse("providers:detail", args=[provider.pk])).content.decode()
    )


def test_stars_outside_one_to_five_are_refused(owner, member, advisor, manager):
    application = paid_application(member.provider, owner, advisor, manager)
    with pytest.raises(ServiceError) as error:
        reviews.post_review(
            owner, application, quality=6, deadlines=3, communication=3, text="Très bien fait."
        )
    assert error.value.field == "quality"
    assert not Review.objects.exists()


def test_quality_signals_flag_a_provider_for_review(owner, member, advisor, manager):
    application = paid_application(member.provider, owner, advisor, manager)
    reviews.post_review(
        owner, application, quality=1, deadlines=2, communication=1, text="Rien ne marche.", is_complaint=True
    )
    QualityThreshold.objects.create(metric="complaints", limit=1)
    signals = quality.quality_signals(member.provider)
    assert signals["claims"] == 1 and signals["claim_info_request_rate"] == 0
    assert signals["complaints"] == 1
    assert any("Note moyenne" in f for f in signals["flags"])
    assert any("signalements" in f for f in signals["flags"])
    page = login(manager).get(reverse("providers:detail", args=[member.provider_id])).content.decode()
    assert "À examiner" in page


def test_choosing_twice_is_refused(owner, draft, member):
    ask(owner, draft, member.provider)
    quote = Quote.objects.get()
    answer(member, quote)
    quotes.choose_quote(owner, quote)
    with pytest.raises(Conflict):
        quotes.choose_quote(owner, Quote.objects.get(pk=quote.pk))


def test_the_owner_told_to_cancel_an_open_request_cancels_it_from_the_quotes_page(
    owner, draft, member, other_member
):
    ask(owner, draft, member.provider, other_member.provider)
    request = QuoteRequest.objects.get()
    answer(member, request.quotes.get(provider=member.provider))

    # Asking again while the request is open tells the owner to choose or cancel, and offers the button.
    again = ask(owner, draft, member.provider).content.decode()
    assert "choisissez un devis ou annulez-la" in again
    assert "Annuler la demande de devis" in again
    cancel_url = reverse("providers:quote_request_cancel", args=[request.pk])
    assert cancel_url in again

    response = login(owner).post(cancel_url, follow=True)
    assert response.redirect_chain[-1][0] == request_page(draft)
    page = response.content.decode()
    assert "La demande de devis est annulée" in page
    assert "Annuler la demande de devis" not in page and "Choisir ce devis" not in page
    request.refresh_from_db()
    assert request.state == QuoteRequest.State.CANCELLED
    assert set(request.quotes.values_list("state", flat=True)) == {Quote.State.NOT_CHOSEN}

    # The providers can no longer answer it; the owner may ask again.
    theirs = request.quotes.get(provider=other_member.provider)
    assert answer(other_member, theirs).status_code == 400
    assert Quote.objects.get(pk=theirs.pk).amount_cents is None
    assert ask(owner, draft, member.provider).status_code == 302
    assert QuoteRequest.objects.filter(state=QuoteRequest.State.OPEN).count() == 1


def test_only_the_owner_of_a_request_cancels_it(owner, draft, member, advisor, manager):
    from tests.factories import UserFactory

    ask(owner, draft, member.provider)
    request = QuoteRequest.objects.get()
    cancel_url = reverse("providers:quote_request_cancel", args=[request.pk])
    for user in (UserFactory(), member, advisor, manager):
        assert login(user).post(cancel_url).status_code == 404
    assert "Annuler la demande de devis" not in login(manager).get(request_page(draft)).content.decode()
    request.refresh_from_db()
    assert request.state == QuoteRequest.State.OPEN
    assert Quote.objects.get().state == Quote.State.REQUESTED


def test_a_closed_request_cannot_be_cancelled(owner, draft, member):
    ask(owner, draft, member.provider)
    quote = Quote.objects.get()
    answer(member, quote)
    quotes.choose_quote(owner, quote)
    request = QuoteRequest.objects.get()
    with pytest.raises(Conflict) as error:
        quotes.cancel_request(owner, request)
    assert error.value.code == "request_closed"
    response = login(owner).post(reverse("providers:quote_request_cancel", args=[request.pk]), follow=True)
    assert "déjà close" in response.content.decode()
    assert QuoteRequest.objects.get().state == QuoteRequest.State.CLOSED
    assert Quote.objects.get().state == Quote.State.CHOSEN


def test_choosing_from_a_cancelled_request_through_the_page_says_why_it_is_refused(owner, draft, member):
    # Another answer of a request closed by a choice may replace the first (test_replace_quote.py);
    # an answer to a request the owner cancelled may not.
    ask(owner, draft, member.provider)
    mine = Quote.objects.get(provider=member.provider)
    answer(member, mine)
    login(owner).post(reverse("providers:quote_request_cancel", args=[mine.request_id]))
    response = login(owner).post(reverse("providers:quote_choose", args=[mine.pk]), follow=True)
    assert response.redirect_chain[-1][0] == request_page(draft)
    assert "Cette demande de devis est annulée." in response.content.decode()
    assert Quote.objects.get(pk=mine.pk).state == Quote.State.NOT_CHOSEN
    draft.refresh_from_db()
    assert draft.provider is None


# --- reaching the quotes from the draft, and the answers reaching the owner ------------------------


def test_the_owner_asks_for_quotes_from_her_draft(owner, draft):
    page = login(owner).get(reverse("vouchers:edit", args=[draft.pk])).content.decode()
    assert f'href="{request_page(draft)}"' in page
    assert "Demander un devis" in page


def test_the_quote_form_points_to_the_directory_for_the_drafts_departement(owner, draft):
    page = login(owner).get(request_page(draft)).content.decode()
    directory = reverse("providers:directory")
    assert f'href="{directory}?departement={draft.company.departement_id}' in page


def test_the_provider_sees_whom_the_quote_is_for(owner, draft, member):
    Commune.objects.create(
        code="69381", name="Lyon 1er Arrondissement", departement=draft.company.departement
    )
    ask(owner, draft, member.provider)
    quote = QuoteRequest.objects.get().quotes.get()

    page = login(member).get(reverse("providers:quote_answer", args=[quote.pk])).content.decode()
    assert draft.company.display_name in page
    assert "Lyon 1er Arrondissement" in page
    dashboard = login(member).get(reverse("providers:dashboard")).content.decode()
    assert draft.company.display_name in dashboard


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {"_action": "answer", "category": "website", "amount": "2 500", "message": "Début mars."},
            "Début mars.",
        ),
        ({"_action": "decline", "message": "Notre carnet est plein jusqu'en juin."}, None),
    ],
    ids=["answered", "declined"],
)
def test_the_providers_answer_and_message_reach_the_owner(
    owner, draft, member, data, message, django_capture_on_commit_callbacks
):
    message = message or data["message"]
    ask(owner, draft, member.provider)
    quote = QuoteRequest.objects.get().quotes.get()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = login(member).post(
            reverse("providers:quote_answer", args=[quote.pk]), {**data, "file": pdf_file("devis.pdf")}
        )
    assert response.status_code == 302

    (email,) = [m for m in mail.outbox if m.to == [owner.email]]
    assert message in email.body
    assert request_page(draft) in email.body
    page = login(owner).get(request_page(draft)).content.decode()
    assert escape(message) in page


def test_the_owner_replaces_a_chosen_quote_on_her_draft(owner, draft, member):
    ask(owner, draft, member.provider)
    quote = QuoteRequest.objects.get().quotes.get()
    answer(member, quote)
    login(owner).post(reverse("providers:quote_choose", args=[quote.pk]))
    draft.refresh_from_db()
    chosen = draft.quote.name

    page = login(owner).get(reverse("vouchers:edit", args=[draft.pk])).content.decode()
    assert "ajoutez un fichier seulement pour le remplacer" in page
    response = login(owner).post(
        reverse("vouchers:edit", args=[draft.pk]),
        {
            "spend_category": "website",
            "provider": str(member.provider.pk),
            "planned_spend": "2 300",
            "quote": pdf_file("devis-revu.pdf"),
            "_action": "save",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.quote.name != chosen and draft.quote.name.endswith(".pdf")
    assert draft.planned_spend_cents == 230_000


def test_deleting_a_draft_cancels_its_quote_requests_and_tells_the_providers(
    owner, draft, member, other_member, sent
):
    assert ask(owner, draft, member.provider, other_member.provider).status_code == 302
    request = QuoteRequest.objects.get()
    declined = request.quotes.get(provider=other_member.provider)
    quotes.decline_quote(other_member, declined, "Pas disponible.")

    emails = sent(vouchers.delete_draft, owner, draft)

    assert not Application.objects.filter(pk=draft.pk).exists()
    # The provider that still had to answer hears that the request is cancelled; the one that
    # declined is not bothered again.
    assert [e.to for e in emails] == [[member.email]]
    assert "annulé" in emails[0].subject and "supprimé" in emails[0].body
    events = AuditEvent.objects.filter(object_id=str(request.pk), action="cancel_quotes")
    assert events.get().actor == owner
    assert events.get().reason == "Brouillon de demande supprimé par l'entreprise."
