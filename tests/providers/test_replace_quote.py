"""The owner replaces the quote of her draft: by uploading another PDF, or by choosing another provider's
answer; the quote chosen before is set aside and its provider told."""

import pytest
from django.urls import reverse

from tests.factories import pdf_bytes, pdf_file, stored_bytes
from tests.providers.conftest import login
from tests.providers.test_quotes_and_reviews import answer, ask, request_page
from tremplin.core.errors import Conflict
from tremplin.core.models import AuditEvent
from tremplin.providers import quotes
from tremplin.providers.models import Quote, QuoteRequest
from tremplin.vouchers import services as vouchers

pytestmark = pytest.mark.django_db


def edit(owner, draft, **data):
    return login(owner).post(
        reverse("vouchers:edit", args=[draft.pk]),
        {"spend_category": "website", "planned_spend": "2 300", "_action": "save", **data},
    )


def content_of(field):
    with field.open("rb") as handle:
        return handle.read()


@pytest.fixture
def two_answers(owner, draft, member, other_member):
    """The owner asked two providers; both answered, hers at 2 500 EUR, the other's at 3 100 EUR."""
    ask(owner, draft, member.provider, other_member.provider)
    request = QuoteRequest.objects.get()
    mine = request.quotes.get(provider=member.provider)
    theirs = request.quotes.get(provider=other_member.provider)
    answer(member, mine, "2 500")
    login(other_member).post(
        reverse("providers:quote_answer", args=[theirs.pk]),
        {
            "_action": "answer",
            "category": "website",
            "amount": "3 100",
            "file": pdf_file("devis-concurrent.pdf", pdf_bytes(title="concurrent")),
        },
    )
    return Quote.objects.get(pk=mine.pk), Quote.objects.get(pk=theirs.pk)


def test_an_uploaded_quote_is_replaced_by_a_providers_answer(owner, draft, member):
    mine = pdf_bytes(title="mon-devis")
    assert edit(owner, draft, quote=pdf_file("mon-devis.pdf", mine)).status_code == 302
    draft.refresh_from_db()
    assert stored_bytes(draft.quote) == mine
    ask(owner, draft, member.provider)
    quote = QuoteRequest.objects.get().quotes.get()
    answer(member, quote, "2 800")

    assert login(owner).post(reverse("providers:quote_choose", args=[quote.pk])).status_code == 302

    draft.refresh_from_db()
    assert draft.provider == member.provider and draft.planned_spend_cents == 280_000
    assert stored_bytes(draft.quote) != mine


def test_the_owner_chooses_the_other_answer_after_a_first_choice(
    owner, draft, member, other_member, two_answers, sent
):
    mine, theirs = two_answers
    quotes.choose_quote(owner, mine)
    page = login(owner).get(request_page(draft)).content.decode()
    assert reverse("providers:quote_choose", args=[theirs.pk]) in page

    emails = sent(login(owner).post, reverse("providers:quote_choose", args=[theirs.pk]))

    draft.refresh_from_db()
    assert draft.provider == other_member.provider
    assert draft.planned_spend_cents == 310_000
    assert b"concurrent" in content_of(draft.quote)
    assert Quote.objects.get(pk=theirs.pk).state == Quote.State.CHOSEN
    assert Quote.objects.get(pk=mine.pk).state == Quote.State.NOT_CHOSEN
    assert QuoteRequest.objects.get().state == QuoteRequest.State.CLOSED
    # The provider set aside hears of it, the one chosen too.
    by_recipient = {tuple(e.to): e for e in emails}
    assert "n'est plus retenu" in by_recipient[(member.email,)].body
    assert "retenu" in by_recipient[(other_member.email,)].subject
    replaced = AuditEvent.objects.get(object_id=str(mine.pk), action="replace_quote")
    assert replaced.actor == owner and replaced.from_state == "chosen"
    assert AuditEvent.objects.filter(object_id=str(theirs.pk), action="choose_again").exists()
    # The draft is complete with the new quote.
    assert vouchers.submit(owner, draft).state == "submitted"


def test_a_quote_from_a_new_request_sets_the_first_one_aside(owner, draft, member, other_member, sent):
    ask(owner, draft, member.provider)
    first = QuoteRequest.objects.get().quotes.get()
    answer(member, first)
    quotes.choose_quote(owner, first)
    ask(owner, draft, other_member.provider)
    second = Quote.objects.get(provider=other_member.provider)
    answer(other_member, second, "2 900")

    emails = sent(quotes.choose_quote, owner, Quote.objects.get(pk=second.pk))

    draft.refresh_from_db()
    assert draft.provider == other_member.provider and draft.planned_spend_cents == 290_000
    assert Quote.objects.get(pk=first.pk).state == Quote.State.NOT_CHOSEN
    assert [member.email] in [e.to for e in emails]


def test_uploading_another_providers_quote_sets_the_chosen_one_aside(
    owner, draft, member, other_member, two_answers, sent
):
    mine, _theirs = two_answers
    quotes.choose_quote(owner, mine)
    other = other_member.provider

    paper = pdf_bytes(title="devis-papier")
    emails = sent(edit, owner, draft, provider=str(other.pk), quote=pdf_file("devis-papier.pdf", paper))

    draft.refresh_from_db()
    assert draft.provider == other and stored_bytes(draft.quote) == paper
    assert Quote.objects.get(pk=mine.pk).state == Quote.State.NOT_CHOSEN
    (email,) = [e for e in emails if e.to == [member.email]]
    assert "n'est plus retenu" in email.body


def test_a_revised_pdf_of_the_same_provider_keeps_its_quote_chosen(owner, draft, member, two_answers, sent):
    mine, _theirs = two_answers
    quotes.choose_quote(owner, mine)

    emails = sent(edit, owner, draft, provider=str(member.provider.pk), quote=pdf_file("devis-revu.pdf"))

    assert Quote.objects.get(pk=mine.pk).state == Quote.State.CHOSEN
    assert not [e for e in emails if e.to == [member.email]]


def test_a_quote_never_answered_cannot_be_chosen(owner, draft, member, other_member):
    ask(owner, draft, member.provider, other_member.provider)
    mine = Quote.objects.get(provider=member.provider)
    answer(member, mine)
    quotes.choose_quote(owner, Quote.objects.get(pk=mine.pk))
    silent = Quote.objects.get(provider=other_member.provider)
    assert silent.state == Quote.State.NOT_CHOSEN

    page = login(owner).get(request_page(draft)).content.decode()
    assert reverse("providers:quote_choose", args=[silent.pk]) not in page
    with pytest.raises(Conflict) as refused:
        quotes.choose_quote(owner, silent)
    assert refused.value.code == "not_answered"
    draft.refresh_from_db()
    assert draft.provider == member.provider


def test_a_quote_of_a_cancelled_request_cannot_be_chosen(owner, draft, member):
    ask(owner, draft, member.provider)
    quote = QuoteRequest.objects.get().quotes.get()
    answer(member, quote)
    quotes.cancel_request(owner, QuoteRequest.objects.get())
    with pytest.raises(Conflict) as refused:
        quotes.choose_quote(owner, Quote.objects.get(pk=quote.pk))
    assert refused.value.code == "request_closed"
    draft.refresh_from_db()
    assert draft.provider is None


def test_another_answer_cannot_be_chosen_once_the_file_is_submitted(owner, draft, two_answers):
    mine, theirs = two_answers
    quotes.choose_quote(owner, mine)
    draft.refresh_from_db()
    vouchers.submit(owner, draft)

    page = login(owner).get(request_page(draft)).content.decode()
    assert reverse("providers:quote_choose", args=[theirs.pk]) not in page
    response = login(owner).post(reverse("providers:quote_choose", args=[theirs.pk]), follow=True)
    assert "déjà été déposé" in response.content.decode()
    assert Quote.objects.get(pk=mine.pk).state == Quote.State.CHOSEN
    assert Quote.objects.get(pk=theirs.pk).state == Quote.State.NOT_CHOSEN
