"""The advisors' review queue: tabs, filters, assignment and re-assignment, bulk "M'attribuer"."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.core.helpers import page
from tests.factories import ApplicationFactory, DepartementFactory, OrganisationFactory, UserFactory, pdf_file
from tremplin.core.errors import Conflict, PermissionDenied
from tremplin.core.models import AuditEvent
from tremplin.vouchers import services
from tremplin.vouchers.assignment import assign, assign_to_self
from tremplin.vouchers.models import Application, State

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(advisor):
    """Another advisor of the same organisation (which covers the Rhône)."""
    return UserFactory(
        advisor=True, organisation=advisor.organisation, first_name="Dominique", last_name="Petit"
    )


@pytest.fixture
def rival(db):
    """An advisor of another organisation that also covers the Rhône."""
    return UserFactory(
        advisor=True,
        organisation=OrganisationFactory(departements=[DepartementFactory()]),
        first_name="Alex",
        last_name="Durand",
    )


def submit_one(scheme, days_ago=0):
    application = ApplicationFactory(scheme=scheme)
    services.submit(application.owner, application)
    if days_ago:
        Application.objects.filter(pk=application.pk).update(
            submitted_at=timezone.now() - timedelta(days=days_ago)
        )
    return Application.objects.get(pk=application.pk)


def queue_page(client, **params):
    return page(client.get(reverse("vouchers:queue"), params))


def assigned_to(application):
    return Application.objects.get(pk=application.pk).assigned_advisor


# --- the service ----------------------------------------------------------------------------------


def test_an_advisor_takes_a_file_of_their_territory(submitted, advisor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assign(advisor, submitted, advisor)
    assert assigned_to(submitted) == advisor
    event = AuditEvent.objects.for_object(submitted).get(action="assign")
    assert event.actor == advisor
    assert event.data["from_advisor"] == "" and event.data["to_advisor"] == str(advisor)
    assert (event.from_state, event.to_state) == (State.SUBMITTED, State.SUBMITTED)
    assert mail.outbox == []  # nobody is told what they just did themselves


def test_an_advisor_gives_a_file_to_a_colleague_who_is_told(
    under_review, advisor, colleague, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assign(advisor, under_review, colleague)
    assert assigned_to(under_review) == colleague
    event = AuditEvent.objects.for_object(under_review).get(action="assign")
    assert (event.data["from_advisor"], event.data["to_advisor"]) == (str(advisor), "Dominique Petit")
    assert [m.to for m in mail.outbox] == [[colleague.email]]
    assert f"Le dossier {under_review.reference} vous est attribué" == mail.outbox[0].subject


def test_the_assignment_email_follows_the_colleague_preference(under_review, advisor, colleague):
    colleague.notification_frequency = "daily"
    colleague.save()
    assign(advisor, under_review, colleague)
    assert colleague.pending_notifications.count() == 1


def test_an_advisor_may_not_give_a_file_to_another_organisation(under_review, advisor, rival):
    with pytest.raises(PermissionDenied, match="pas de votre organisation"):
        assign(advisor, under_review, rival)
    assert assigned_to(under_review) == advisor
    assert not AuditEvent.objects.for_object(under_review).filter(action="assign").exists()


def test_an_advisor_may_not_take_a_file_another_organisation_follows(under_review, rival):
    with pytest.raises(PermissionDenied, match="d'une autre organisation"):
        assign(rival, under_review, rival)
    assert assigned_to(under_review) != rival


def test_an_advisor_of_another_organisation_may_take_an_unassigned_file(submitted, rival):
    assign(rival, submitted, rival)
    assert assigned_to(submitted) == rival


def test_an_advisor_outside_the_territory_may_not_assign(submitted, other_advisor):
    with pytest.raises(PermissionDenied, match="autre territoire"):
        assign(other_advisor, submitted, other_advisor)


def test_a_manager_assigns_any_advisor_covering_the_file(under_review, manager, rival, other_advisor):
    assign(manager, under_review, rival)
    assert assigned_to(under_review) == rival
    with pytest.raises(PermissionDenied, match="ne couvre pas"):
        assign(manager, under_review, other_advisor)


@pytest.mark.parametrize("role", ["owner", "auditor"])
def test_other_roles_may_not_assign(submitted, advisor, role, request):
    actor = submitted.owner if role == "owner" else request.getfixturevalue("auditor")
    with pytest.raises(PermissionDenied):
        assign(actor, submitted, advisor)


def test_a_decided_file_is_not_assigned(approved, advisor, colleague):
    with pytest.raises(Conflict, match="n'attend pas d'instruction"):
        assign(advisor, approved, colleague)
    assert assigned_to(approved) == advisor


def test_a_file_is_not_assigned_twice_to_the_same_advisor(under_review, advisor):
    with pytest.raises(Conflict, match="déjà attribué"):
        assign(advisor, under_review, advisor)


def test_bulk_take_is_all_or_nothing(scheme, advisor, rival):
    free = submit_one(scheme)
    taken = submit_one(scheme)
    assign(rival, taken, rival)
    with pytest.raises(PermissionDenied) as error:
        assign_to_self(advisor, [free, taken])
    assert error.value.message.startswith(f"{taken.reference} : ")
    assert assigned_to(free) is None and assigned_to(taken) == rival
    assert assign_to_self(advisor, [free]) == 1
    assert assigned_to(free) == advisor


# --- the queue page -------------------------------------------------------------------------------


def test_tabs_show_my_files_my_organisation_and_the_unassigned(as_user, scheme, advisor, colleague):
    mine, theirs, nobody = submit_one(scheme), submit_one(scheme), submit_one(scheme)
    assign(advisor, mine, advisor)
    assign(advisor, theirs, colleague)
    client = as_user(advisor)

    body = queue_page(client, tab="mine")
    assert mine.reference in body and theirs.reference not in body and nobody.reference not in body
    body = queue_page(client, tab="unassigned")
    assert nobody.reference in body and mine.reference not in body and theirs.reference not in body
    body = queue_page(client)  # the organisation is the default
    assert all(app.reference in body for app in (mine, theirs, nobody))
    assert "Dominique Petit" in body
    assert 'aria-current="page">Mon organisation' in body


def test_a_file_another_organisation_follows_offers_no_action(as_user, scheme, advisor, rival):
    app = submit_one(scheme)
    assign(rival, app, rival)
    body = queue_page(as_user(advisor))
    assert app.reference in body and "Alex Durand" in body
    assert f'id="select-{app.pk}"' not in body
    assert reverse("vouchers:assign", args=[app.pk]) not in body


def test_waiting_since_filter_keeps_the_old_files(as_user, scheme, advisor):
    old, recent = submit_one(scheme, days_ago=20), submit_one(scheme, days_ago=3)
    body = queue_page(as_user(advisor), waiting_days="10")
    assert old.reference in body and recent.reference not in body
    assert "Délai de 15 jours dépassé" in body


def test_an_invalid_waiting_since_is_explained_and_ignored(as_user, scheme, advisor):
    app = submit_one(scheme)
    body = queue_page(as_user(advisor), waiting_days="dix")
    assert "Indiquez un nombre de jours, par exemple 15." in body
    assert app.reference in body


def test_expires_soon_lists_approved_vouchers_near_their_deadline(as_user, approved, scheme, advisor):
    later = submit_one(scheme)
    services.start_review(advisor, later)
    services.approve(advisor, later)
    today = timezone.localdate()
    Application.objects.filter(pk=approved.pk).update(valid_until=today + timedelta(days=12))
    Application.objects.filter(pk=later.pk).update(valid_until=today + timedelta(days=90))
    body = queue_page(as_user(advisor), expires_soon="on")
    assert approved.reference in body and later.reference not in body
    assert "dans 12 jours" in body
    assert approved.reference not in queue_page(as_user(advisor))


def test_state_filter_still_applies(as_user, submitted, under_review, advisor):
    body = queue_page(as_user(advisor), state="under_review")
    assert under_review.reference in body


def test_bulk_take_from_the_page(as_user, scheme, advisor, django_capture_on_commit_callbacks):
    first, second, left = submit_one(scheme), submit_one(scheme), submit_one(scheme)
    client = as_user(advisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("vouchers:assign_bulk"), {"applications": [first.pk, second.pk]})
    assert response.status_code == 302 and response.url == reverse("vouchers:queue") + "?tab=mine"
    assert assigned_to(first) == advisor and assigned_to(second) == advisor and assigned_to(left) is None
    assert "2 dossiers vous sont attribués." in queue_page(client, tab="mine")
    assert mail.outbox == []


def test_bulk_take_refused_for_one_file_changes_nothing_and_names_it(as_user, scheme, advisor, rival):
    free, taken = submit_one(scheme), submit_one(scheme)
    assign(rival, taken, rival)
    client = as_user(advisor)
    response = client.post(
        reverse("vouchers:assign_bulk"),
        {"applications": [free.pk, taken.pk], "next": reverse("vouchers:queue") + "?tab=unassigned"},
    )
    assert response.url == reverse("vouchers:queue") + "?tab=unassigned"
    assert assigned_to(free) is None
    body = queue_page(client)
    assert "Rien n'a été attribué." in body and f"{taken.reference} :" in body


def test_bulk_take_refuses_files_outside_the_territory(as_user, submitted, other_advisor):
    response = as_user(other_advisor).post(reverse("vouchers:assign_bulk"), {"applications": [submitted.pk]})
    assert response.status_code == 302
    assert assigned_to(submitted) is None


def test_bulk_take_ignores_an_outside_next_url(as_user, submitted, advisor):
    client = as_user(advisor)
    response = client.post(reverse("vouchers:assign_bulk"), {"next": "https://ailleurs.example/"})
    assert response.url == reverse("vouchers:queue")
    assert "Cochez au moins un dossier à vous attribuer." in queue_page(client)


def test_bulk_take_is_for_advisors_only(as_user, submitted, manager):
    assert (
        as_user(manager).post(reverse("vouchers:assign_bulk"), {"applications": [submitted.pk]}).status_code
        == 403
    )


def test_the_queue_query_count_is_pinned_with_every_filter(
    as_user, scheme, advisor, colleague, django_assert_num_queries
):
    def add(n):
        for i in range(n):
            app = submit_one(scheme, days_ago=30)
            if i % 3 < 2:  # a third stay unassigned
                assign(advisor, app, advisor if i % 3 else colleague)
            if i == 0:  # one approved voucher close to its deadline, for "expires soon"
                services.start_review(advisor, app)
                services.approve(advisor, app)
                Application.objects.filter(pk=app.pk).update(
                    valid_until=timezone.localdate() + timedelta(days=5)
                )

    add(3)
    client = as_user(advisor)
    params = [
        {},
        {"tab": "mine"},
        {"tab": "unassigned"},
        {"waiting_days": "10", "state": "submitted"},
        {"expires_soon": "on"},
    ]
    for query in params:
        with django_assert_num_queries(6):  # +1: the TOTP device of the verified session (django-otp)
            client.get(reverse("vouchers:queue"), query)
    add(6)
    for query in params:
        with django_assert_num_queries(6):  # +1: the TOTP device of the verified session (django-otp)
            response = client.get(reverse("vouchers:queue"), query)
    assert "7 dossiers à traiter" in page(client.get(reverse("vouchers:queue")))
    assert response.status_code == 200


# --- the assignment page --------------------------------------------------------------------------


def test_an_advisor_gives_a_file_to_a_colleague_on_the_page(as_user, under_review, advisor, colleague, rival):
    client = as_user(advisor)
    url = reverse("vouchers:assign", args=[under_review.pk])
    html = page(client.get(url))
    assert "Dominique Petit" in html and "Alex Durand" not in html  # only colleagues are offered
    response = client.post(url, {"advisor": colleague.pk, "next": reverse("vouchers:queue")})
    assert response.status_code == 302 and response.url == reverse("vouchers:queue")
    assert assigned_to(under_review) == colleague


def test_a_manager_assigns_on_the_page_and_lands_on_the_file(as_user, under_review, manager, rival):
    client = as_user(manager)
    url = reverse("vouchers:assign", args=[under_review.pk])
    assert "Alex Durand" in page(client.get(url))
    response = client.post(url, {"advisor": rival.pk})
    assert response.url == reverse("vouchers:detail", args=[under_review.pk])
    assert assigned_to(under_review) == rival
    assert "Dossier attribué" in page(client.get(response.url))  # in the file's history


def test_the_page_refuses_an_advisor_who_is_not_offered(as_user, under_review, advisor, rival):
    response = as_user(advisor).post(
        reverse("vouchers:assign", args=[under_review.pk]), {"advisor": rival.pk}
    )
    assert response.status_code == 200
    assert "Choisissez un conseiller dans la liste." in page(response)
    assert assigned_to(under_review) == advisor


def test_the_page_says_why_an_assignment_is_refused(as_user, approved, advisor, colleague):
    url = reverse("vouchers:assign", args=[approved.pk])
    client = as_user(advisor)
    assert "il ne peut pas être attribué" in page(client.get(url))
    response = client.post(url, {"advisor": colleague.pk})
    assert response.status_code == 409
    assert "Ce dossier n'attend pas d'instruction" in page(response)
    assert assigned_to(approved) == advisor


def test_the_page_does_not_offer_the_current_reviewer(as_user, under_review, advisor, colleague):
    html = page(as_user(advisor).get(reverse("vouchers:assign", args=[under_review.pk])))
    assert f'value="{colleague.pk}"' in html and f'value="{advisor.pk}"' not in html


def test_the_page_is_hidden_from_other_territories_and_refused_to_other_roles(
    as_user, submitted, other_advisor, auditor
):
    url = reverse("vouchers:assign", args=[submitted.pk])
    assert as_user(other_advisor).get(url).status_code == 404
    assert as_user(auditor).get(url).status_code == 403
    assert as_user(submitted.owner).get(url).status_code == 403


def test_the_queue_in_english(as_user, submitted, advisor):
    from django.conf import settings

    client = as_user(advisor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = queue_page(client)
    assert "My applications" in html and "My organisation" in html and "Unassigned" in html
    assert "Assign the ticked files to me" in html
    assert "Mes dossiers" not in html


def test_a_file_waiting_for_the_owners_answer_stays_in_the_queue_for_the_application_and_the_claim(
    as_user, scheme, advisor
):
    """Both "waiting for the owner" states of a review are in the queue, as both may be assigned."""
    asked = submit_one(scheme)
    services.start_review(advisor, asked)
    services.request_info(advisor, asked, "Le devis est-il signé ?")
    claim_asked = submit_one(scheme)
    services.start_review(advisor, claim_asked)
    services.approve(advisor, claim_asked)
    services.submit_claim(
        claim_asked.owner,
        claim_asked,
        pdf_file("facture.pdf"),
        pdf_file("preuve.pdf"),
        claim_asked.planned_spend_cents,
    )
    services.start_claim_review(advisor, claim_asked)
    services.request_claim_info(advisor, claim_asked, "Le relevé bancaire ?")

    body = queue_page(as_user(advisor))

    assert asked.reference in body and claim_asked.reference in body
    assert "Pièces complémentaires demandées" in queue_page(as_user(advisor), state="claim_info_requested")
