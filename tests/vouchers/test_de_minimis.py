"""De minimis over the single undertaking: the owner's declarations, the linked companies' aid and the
programme's own vouchers counted from their grant date, on a rolling 3-year period, at submission and
again at approval. Sums checked by hand."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tests.factories import ApplicationFactory, CompanyFactory
from tremplin.core.models import AuditEvent
from tremplin.schemes.models import Envelope
from tremplin.vouchers import deminimis, services
from tremplin.vouchers.models import Application, LinkedCompany, State

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
CEILING = 30_000_000  # 300 000 €


def granted(company, on, amount_cents, *, hour=10, state=State.APPROVED, linked=()):
    """A voucher of ours granted to `company` on day `on` (its approval), at `hour` in Paris."""
    app = ApplicationFactory(
        company=company, state=state, amount_cents=amount_cents, reserved_cents=amount_cents
    )
    decided = datetime(on.year, on.month, on.day, hour, tzinfo=PARIS)
    Application.objects.filter(pk=app.pk).update(decided_at=decided, submitted_at=decided)
    for siren in linked:
        LinkedCompany.objects.create(application=app, siren=siren, de_minimis_cents=0)
    return app


def voucher(draft):
    return draft.scheme.voucher_amount_cents(draft.planned_spend_cents)


# --- the period ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "on, start",
    [
        (date(2026, 12, 3), date(2023, 12, 4)),
        (date(2027, 2, 28), date(2024, 2, 29)),  # 28 Feb 2024 + 1 day: 2024 is a leap year
        (date(2028, 2, 29), date(2025, 3, 1)),  # 29 Feb 2025 does not exist: 28 Feb + 1 day
        (date(2026, 1, 1), date(2023, 1, 2)),
    ],
)
def test_the_period_is_the_3_years_ending_on_the_day_both_ends_included(on, start):
    assert deminimis.window(on) == (start, on)


@pytest.mark.parametrize(
    "today, counted",
    [("2026-12-02", True), ("2026-12-03", True), ("2026-12-04", False)],
)
def test_a_voucher_granted_on_4_december_2023_counts_until_3_december_2026(draft, today, counted):
    linked_company = CompanyFactory()
    granted(linked_company, date(2023, 12, 4), 1_000_000)
    LinkedCompany.objects.create(application=draft, siren=linked_company.siren, de_minimis_cents=0)
    draft.has_linked_companies = True
    draft.save()
    with time_machine.travel(datetime.fromisoformat(today).replace(hour=12, tzinfo=PARIS), tick=False):
        check = deminimis.check(draft)
    assert check.granted_cents == (1_000_000 if counted else 0)


def test_the_grant_day_is_the_day_in_france_not_in_utc(draft):
    # Approved at 00:30 in Paris on 4 December 2023 (23:30 UTC on the 3rd): granted on the 4th.
    app = granted(draft.company, date(2023, 12, 4), 500_000, hour=0)
    Application.objects.filter(pk=app.pk).update(
        decided_at=datetime(2023, 12, 4, 0, 30, tzinfo=PARIS), state=State.PAID
    )
    check = deminimis.check(draft, on=date(2026, 12, 3))
    assert [(g.granted_on, g.amount_cents) for g in check.granted] == [(date(2023, 12, 4), 500_000)]


def test_the_grant_date_counts_not_the_payment_date(draft):
    """Granted on 2 December 2023, paid in 2024: out of the period ending on 3 December 2026."""
    app = granted(draft.company, date(2023, 12, 2), 500_000, state=State.PAID)
    AuditEvent.objects.filter(object_id=str(app.pk)).delete()
    check = deminimis.check(draft, on=date(2026, 12, 3))
    assert check.granted == ()


def test_an_expired_voucher_does_not_count_a_clawed_back_one_does(draft):
    granted(draft.company, date(2026, 1, 10), 200_000, state=State.EXPIRED)
    granted(draft.company, date(2026, 2, 10), 300_000, state=State.CLAWED_BACK)
    check = deminimis.check(draft, on=date(2026, 12, 3))
    assert check.granted_cents == 300_000


# --- the sums ------------------------------------------------------------------------------------


def test_the_single_undertaking_sums_declarations_linked_aid_and_our_grants(draft, scheme):
    linked_a, linked_b, stranger = CompanyFactory(), CompanyFactory(), CompanyFactory()
    # Company C, granted a voucher of ours, declared the owner's company linked to it.
    reverse_linked = CompanyFactory()
    granted(linked_a, date(2025, 6, 1), 250_000)
    granted(reverse_linked, date(2025, 9, 1), 150_000, linked=[draft.company.siren])
    granted(stranger, date(2025, 9, 1), 990_000)  # not of the single undertaking
    granted(draft.company, date(2023, 1, 5), 70_000)  # out of the period
    services.update_draft(draft.owner, draft, declared_de_minimis_cents=5_000_000, has_linked_companies=True)
    services.declare_linked_companies(
        draft.owner,
        draft,
        [
            {"siren": linked_a.siren, "de_minimis_cents": 2_000_000},
            {"siren": linked_b.siren, "de_minimis_cents": 1_000_000},
        ],
    )
    draft.refresh_from_db()
    check = deminimis.check(draft, on=date(2026, 12, 3), amount_cents=voucher(draft))
    assert check.declared_cents == 5_000_000
    assert check.linked_cents == 3_000_000
    assert sorted(g.amount_cents for g in check.granted) == [150_000, 250_000]
    assert check.total_cents == 5_000_000 + 3_000_000 + 400_000 + voucher(draft)
    assert check.passed is True


def test_at_the_ceiling_the_voucher_is_submitted_one_cent_over_it_is_refused_with_the_sums(draft):
    linked = CompanyFactory(denomination="Filiale Martin")
    granted(linked, date(2026, 3, 1), 500_000)
    services.declare_linked_companies(
        draft.owner, draft, [{"siren": linked.siren, "de_minimis_cents": 10_000_000}]
    )
    own = CEILING - 10_000_000 - 500_000 - voucher(draft) + 1
    services.update_draft(draft.owner, draft, declared_de_minimis_cents=own)
    with time_machine.travel(datetime(2026, 12, 3, 12, tzinfo=PARIS), tick=False):
        with pytest.raises(services.DeMinimisCeiling) as refused:
            services.submit(draft.owner, draft)
    error = refused.value
    assert error.code == "de_minimis_ceiling" and error.status == 409
    assert "entreprise unique atteindraient 300\u202f000,01 €" in error.message
    assert "du 04/12/2023 au 03/12/2026" in error.message
    assert "celles des entreprises liées 100\u202f000 €" in error.message
    assert "les chèques du programme déjà accordés 5\u202f000 €" in error.message
    assert error.details["total_cents"] == CEILING + 1
    assert error.details["granted"][0]["siren"] == linked.siren
    assert Application.objects.get(pk=draft.pk).state == State.DRAFT

    services.update_draft(draft.owner, draft, declared_de_minimis_cents=own - 1)
    with time_machine.travel(datetime(2026, 12, 3, 12, tzinfo=PARIS), tick=False):
        submitted = services.submit(draft.owner, draft)
    assert submitted.state == State.SUBMITTED
    kept = Application.objects.get(pk=draft.pk).de_minimis_check["submission"]
    assert kept["total_cents"] == CEILING and kept["passed"] is True


def test_the_owner_must_say_whether_the_company_has_linked_companies(draft):
    services.update_draft(draft.owner, draft, has_linked_companies=None)
    with pytest.raises(services.ServiceError) as refused:
        services.submit(draft.owner, draft)
    assert refused.value.code == "not_eligible"
    assert "entreprise unique" in refused.value.message


def test_approval_checks_again_with_the_grants_made_since_the_submission(draft, advisor):
    linked = CompanyFactory()
    services.declare_linked_companies(draft.owner, draft, [{"siren": linked.siren, "de_minimis_cents": 0}])
    services.update_draft(draft.owner, draft, declared_de_minimis_cents=CEILING - voucher(draft) - 100_000)
    application = services.start_review(advisor, services.submit(draft.owner, draft))
    # Meanwhile the programme granted the linked company 1 001 €.
    granted(linked, date.today(), 100_100)
    committed_before = Envelope.objects.get(pk=application.envelope_id).committed_cents
    with pytest.raises(services.DeMinimisCeiling) as refused:
        services.approve(advisor, application)
    assert refused.value.status == 409
    assert refused.value.details["granted_cents"] == 100_100
    assert "Le chèque ne peut pas être accordé" in refused.value.message
    assert Application.objects.get(pk=draft.pk).state == State.UNDER_REVIEW
    assert Envelope.objects.get(pk=application.envelope_id).committed_cents == committed_before

    Application.objects.filter(company=linked).update(amount_cents=100_000)
    approved = services.approve(advisor, application)
    assert approved.state == State.APPROVED
    assert approved.de_minimis_check["approval"]["total_cents"] == CEILING


# --- the declaration -----------------------------------------------------------------------------


def test_a_linked_company_is_checked_and_named_from_the_registry(draft):
    known = CompanyFactory(denomination="Holding Martin")
    services.declare_linked_companies(
        draft.owner,
        draft,
        [
            {"siren": known.siren, "name": "ignored", "de_minimis_cents": 0},
            {"siren": "443 061 841", "name": "Société absente", "de_minimis_cents": 12_345},
        ],
    )
    rows = list(draft.linked_companies.values_list("siren", "name", "company_id", "de_minimis_cents"))
    assert rows == [
        (known.siren, "Holding Martin", known.pk, 0),
        ("443061841", "Société absente", None, 12_345),
    ]
    assert Application.objects.get(pk=draft.pk).has_linked_companies is True
    event = AuditEvent.objects.get(action="declare_linked_companies")
    assert event.data["linked"][1] == {"siren": "443061841", "de_minimis_cents": 12_345}


@pytest.mark.parametrize(
    "item, code",
    [
        ({"siren": "732829321", "de_minimis_cents": 0}, "invalid_siren"),
        ({"siren": "12345", "de_minimis_cents": 0}, "invalid_siren"),
        ({"siren": "443061841", "de_minimis_cents": -1}, "invalid_amount"),
    ],
)
def test_a_wrong_linked_company_is_refused(draft, item, code):
    with pytest.raises(services.ServiceError) as refused:
        services.declare_linked_companies(draft.owner, draft, [item])
    assert refused.value.code == code


def test_the_own_company_and_a_twice_declared_one_are_refused(draft):
    with pytest.raises(services.ServiceError) as refused:
        services.declare_linked_companies(
            draft.owner, draft, [{"siren": draft.company.siren, "de_minimis_cents": 0}]
        )
    assert refused.value.code == "linked_is_own_company"
    twice = [{"siren": "443061841", "de_minimis_cents": 0}, {"siren": "443 061 841", "de_minimis_cents": 5}]
    with pytest.raises(services.ServiceError) as refused:
        services.declare_linked_companies(draft.owner, draft, twice)
    assert refused.value.code == "linked_duplicate"


def test_only_the_owner_declares_and_only_on_a_draft(draft, other_owner, advisor):
    with pytest.raises(services.PermissionDenied):
        services.declare_linked_companies(other_owner, draft, [])
    submitted = services.submit(draft.owner, draft)
    with pytest.raises(services.Conflict):
        services.declare_linked_companies(draft.owner, submitted, [])


def test_answering_no_while_linked_companies_are_declared_is_refused(draft):
    services.declare_linked_companies(draft.owner, draft, [{"siren": "443061841", "de_minimis_cents": 0}])
    with pytest.raises(services.ServiceError) as refused:
        services.update_draft(draft.owner, draft, has_linked_companies=False)
    assert refused.value.code == "linked_companies_declared"


# --- the page ------------------------------------------------------------------------------------


def test_the_owner_adds_and_removes_a_linked_company_on_the_draft_page(client, draft):
    client.force_login(draft.owner)
    url = reverse("vouchers:edit", args=[draft.pk])
    response = client.post(
        url,
        {
            "_action": "add_linked",
            "declared_headcount": "5",
            "has_linked_companies": "yes",
            "linked-siren": "443 061 841",
            "linked-name": "Société Sœur",
            "linked-de_minimis": "12 500,50",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#linked-companies")
    draft.refresh_from_db()
    assert draft.declared_headcount == 5 and draft.has_linked_companies is True
    assert list(draft.linked_companies.values_list("siren", "de_minimis_cents")) == [("443061841", 1_250_050)]
    page = client.get(url).content.decode()
    assert "Société Sœur" in page and "12\u202f500,50 €" in page

    response = client.post(
        url, {"_action": "add_linked", "linked-siren": draft.company.siren, "linked-de_minimis": "0"}
    )
    assert response.status_code == 200
    assert "C&#x27;est le SIREN de votre propre entreprise" in response.content.decode()

    response = client.post(
        url, {"_action": "add_linked", "linked-siren": "732829321", "linked-de_minimis": "0"}
    )
    assert "Ce numéro SIREN n&#x27;existe pas" in response.content.decode()

    response = client.post(url, {"_action": "remove_linked:443061841"})
    assert response.status_code == 302
    assert not draft.linked_companies.exists()


def test_the_draft_page_says_it_in_english(client, draft):
    client.force_login(draft.owner)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("vouchers:edit", args=[draft.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Is your company linked to other companies?" in page
    assert "Companies linked to yours" in page
    assert "Add this linked company" in page


def test_the_refusal_over_the_ceiling_shows_on_the_draft_page(client, draft):
    services.update_draft(draft.owner, draft, declared_de_minimis_cents=CEILING)
    client.force_login(draft.owner)
    response = client.post(reverse("vouchers:edit", args=[draft.pk]), {"_action": "submit"})
    assert response.status_code == 200
    assert "au-delà du plafond de 300\u202f000 € sur 3 ans" in response.content.decode()


@pytest.mark.parametrize("action", ["save", "submit"])
def test_a_linked_company_typed_but_not_added_is_added_with_the_draft(client, draft, action):
    client.force_login(draft.owner)
    response = client.post(
        reverse("vouchers:edit", args=[draft.pk]),
        {
            "_action": action,
            "has_linked_companies": "yes",
            "linked-siren": "443 061 841",
            "linked-de_minimis": "2 000",
        },
    )
    assert response.status_code == 302
    assert list(draft.linked_companies.values_list("siren", "de_minimis_cents")) == [("443061841", 200_000)]
    draft.refresh_from_db()
    assert draft.state == (State.SUBMITTED if action == "submit" else State.DRAFT)


def test_a_linked_company_typed_wrong_stops_the_submission(client, draft):
    client.force_login(draft.owner)
    response = client.post(
        reverse("vouchers:edit", args=[draft.pk]),
        {
            "_action": "submit",
            "has_linked_companies": "yes",
            "linked-siren": "732829321",
            "linked-de_minimis": "0",
        },
    )
    assert response.status_code == 200
    assert "Ce numéro SIREN n&#x27;existe pas" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == State.DRAFT and not draft.linked_companies.exists()


def test_fields_left_under_a_no_are_not_declared(client, draft):
    client.force_login(draft.owner)
    client.post(
        reverse("vouchers:edit", args=[draft.pk]),
        {
            "_action": "save",
            "has_linked_companies": "no",
            "linked-siren": "443061841",
            "linked-de_minimis": "0",
        },
    )
    draft.refresh_from_db()
    assert draft.has_linked_companies is False and not draft.linked_companies.exists()
