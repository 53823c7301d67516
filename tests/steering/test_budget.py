"""The budget page's figures, against values computed by hand on a small ledger built by the real services.

The story, on an envelope of 10 000 € in Auvergne-Rhône-Alpes (2026, Europe/Paris, at noon):
- 2 March: A submitted (200 000 reserved, not approved: *reserved*).
- 16 March: B submitted and approved (200 000, *firm*).
- 6 April: C and D submitted and approved (2 × 200 000 firm); 20 April: their claims approved, C invoiced
  3 000 € (payable 1 500 €), D 4 000 € (payable 2 000 €).
- 4 May: the batch pays C (150 000 disbursed, 50 000 released) and D (200 000 disbursed).
- 18 May: D clawed back (200 000 off committed and disbursed). 25 May: E submitted, 26 May withdrawn.
On 1 June: reserved 200 000 (A); firm 200 000 (B) + 150 000 (C) = 350 000; committed 550 000;
disbursed 150 000; free 1 000 000 − 550 000 = 450 000; 55.0 % committed.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    DepartementFactory,
    EnvelopeFactory,
    SchemeFactory,
    UserFactory,
    pdf_file,
)
from tests.payments.flows import approved_application
from tremplin.core.models import Notification
from tremplin.payments import services as payments
from tremplin.schemes.budget import ledger_totals
from tremplin.schemes.models import Envelope
from tremplin.steering import budget, stock_facts
from tremplin.steering.alerts import send_budget_alerts
from tremplin.steering.models import BudgetAlert
from tremplin.steering.scope import scope_for
from tremplin.vouchers import services as vouchers

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
URL = reverse("steering:budget")


def noon(month, day):
    return datetime(2026, month, day, 12, tzinfo=PARIS)


@pytest.fixture
def story(time_machine, advisor, manager):
    time_machine.move_to(noon(3, 1), tick=False)
    scheme = SchemeFactory()
    envelope = EnvelopeFactory(scheme=scheme, total_cents=1_000_000)
    time_machine.move_to(noon(3, 2), tick=False)
    a = ApplicationFactory(scheme=scheme)
    vouchers.submit(a.owner, a)
    time_machine.move_to(noon(3, 16), tick=False)
    approved_application(scheme, advisor)
    time_machine.move_to(noon(4, 6), tick=False)
    c = approved_application(scheme, advisor)
    d = approved_application(scheme, advisor)
    time_machine.move_to(noon(4, 20), tick=False)
    for application, invoiced in ((c, 300_000), (d, 400_000)):
        vouchers.submit_claim(
            application.owner,
            application,
            invoice=pdf_file("facture.pdf"),
            proof_of_payment=pdf_file("virement.pdf"),
            invoiced_spend_cents=invoiced,
        )
        vouchers.approve_claim(advisor, vouchers.start_claim_review(advisor, application))
    time_machine.move_to(noon(5, 4), tick=False)
    payments.mark_batch_paid(manager, payments.create_batch(manager, scheme))
    time_machine.move_to(noon(5, 18), tick=False)
    vouchers.claw_back(manager, d, "Contrôle : prestation jamais livrée.")
    time_machine.move_to(noon(5, 25), tick=False)
    e = ApplicationFactory(scheme=scheme)
    vouchers.submit(e.owner, e)
    time_machine.move_to(noon(5, 26), tick=False)
    vouchers.withdraw(e.owner, e, "Projet reporté.")
    time_machine.move_to(noon(6, 1), tick=False)
    stock_facts.refresh()  # the pages' figures, as of 1 June at noon
    return Envelope.objects.get(pk=envelope.pk)


def only_figures(user):
    (fig,) = budget.figures(scope_for(user))
    return fig


def test_every_figure_is_the_hand_computed_one_and_the_ledger_equals_the_counters(story, manager):
    fig = only_figures(manager)
    assert (fig.total_cents, fig.reserved_cents, fig.firm_cents) == (1_000_000, 200_000, 350_000)
    assert (fig.committed_cents, fig.disbursed_cents, fig.free_cents) == (550_000, 150_000, 450_000)
    assert fig.percent_committed == Decimal("55.0") and fig.percent_disbursed == Decimal("15.0")
    assert (story.committed_cents, story.disbursed_cents) == (550_000, 150_000)
    assert ledger_totals(story.pk) == {"committed_cents": 550_000, "disbursed_cents": 150_000}
    assert fig.reconciled is True


def test_the_burn_cumulates_each_month(story, manager):
    months = [(m.month, m.committed_cents, m.disbursed_cents) for m in only_figures(manager).months]
    assert months == [
        (date(2026, 3, 1), 400_000, 0),
        (date(2026, 4, 1), 800_000, 0),
        (date(2026, 5, 1), 550_000, 150_000),
        (date(2026, 6, 1), 550_000, 150_000),
    ]


def test_the_forecast_is_the_hand_computed_date(story, manager):
    # Window: the 90 days from 4 March to 1 June; A's reservation of 2 March is before it.
    # Net: 200 000 (B) + 400 000 (C, D) − 50 000 (C's rest) − 200 000 (D clawed back) = 350 000.
    # Run-out: ⌈450 000 × 90 ÷ 350 000⌉ = ⌈115.7⌉ = 116 days after 1 June = 25 September 2026.
    forecast = only_figures(manager).forecast
    assert (forecast.days, forecast.net_cents) == (90, 350_000)
    assert forecast.run_out == date(2026, 9, 25) and forecast.reason == ""
    assert forecast.pace_cents_per_day == Decimal(3889)


def test_no_forecast_without_enough_history_or_pace():
    today = date(2026, 6, 1)
    young = {today - timedelta(days=28): [100_000, 0]}
    assert budget.forecast(young, 500_000, today).reason == "short_history"
    assert budget.forecast({}, 500_000, today).reason == "short_history"
    old = {today - timedelta(days=200): [100_000, 0], today - timedelta(days=10): [0, 50_000]}
    flat = budget.forecast(old, 500_000, today)
    assert (flat.run_out, flat.reason, flat.days) == (None, "no_pace", 90)
    assert budget.forecast(old, 0, today).reason == "exhausted"
    # 30 days since the first movement: a window of 30 days, 300 000 net, 10 000 a day, 500 000 free: 50 days.
    month = {today - timedelta(days=29): [300_000, 0]}
    assert budget.forecast(month, 500_000, today).run_out == today + timedelta(days=50)


def test_the_page_shows_the_figures_and_the_method(story, client, manager, django_assert_max_num_queries):
    client.force_login(manager)
    with django_assert_max_num_queries(12):
        page = client.get(URL).content.decode()
    for text in (
        "10\u202f000 €",
        "2\u202f000 €",
        "3\u202f500 €",
        "5\u202f500 €",
        "1\u202f500 €",
        "4\u202f500 €",
    ):
        assert text in page
    assert "55,0 %" in page and "25 septembre 2026" in page and "Rapproché" in page
    assert "90 derniers jours" in page and "<svg" in page and "<caption>" in page
    assert "Chiffres arrêtés le 1 juin 2026 à 12:00" in page


def test_the_number_of_queries_does_not_grow_with_envelopes(
    story, client, manager, django_assert_max_num_queries
):
    for code in ("53", "11", "76"):
        EnvelopeFactory(scheme=story.scheme, region__code=code, region__name=f"Région {code}")
    stock_facts.refresh()
    client.force_login(manager)
    with django_assert_max_num_queries(12):
        assert "Région 76" in client.get(URL).content.decode()


def test_an_organisation_head_sees_their_territory_s_files_only(story, advisor, client):
    isere = DepartementFactory(code="38", name="Isère")
    outside = ApplicationFactory(
        scheme=story.scheme, company=CompanyFactory(departement=isere, head_office_postal_code="38000")
    )
    vouchers.submit(outside.owner, outside)
    stock_facts.refresh()
    advisor.heads_organisation = True
    advisor.save()
    fig = only_figures(advisor)
    assert (fig.total_cents, fig.committed_cents, fig.disbursed_cents) == (1_000_000, 550_000, 150_000)
    assert fig.free_cents is None and fig.forecast is None and fig.reconciled is None
    assert Envelope.objects.get(pk=story.pk).committed_cents == 750_000  # the Isère file counts nationally
    client.force_login(advisor)
    page = client.get(URL).content.decode()
    assert '<td class="tn-amount" data-figure="committed">5\u202f500 €</td>' in page
    assert 'data-figure="free"' not in page and "Date d'épuisement prévue" not in page


def test_a_head_sees_no_envelope_of_a_région_outside_their_territory(story, advisor):
    EnvelopeFactory(scheme=story.scheme, region__code="53", region__name="Bretagne")
    stock_facts.refresh()
    advisor.heads_organisation = True
    advisor.save()
    assert [f.envelope.region_id for f in budget.figures(scope_for(advisor))] == ["84"]


@pytest.mark.parametrize("who", ["manager", "auditor"])
def test_managers_and_auditors_see_every_envelope(request, story, client, who):
    EnvelopeFactory(scheme=story.scheme, region__code="53", region__name="Bretagne")
    stock_facts.refresh()
    client.force_login(request.getfixturevalue(who))
    page = client.get(URL).content.decode()
    assert "Bretagne" in page and "Auvergne-Rhône-Alpes" in page


@pytest.mark.parametrize("who", ["owner", "provider_member", "advisor", "other_advisor"])
def test_others_may_not_see_the_budget(request, client, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get(URL).status_code == 302


def test_the_page_only_reads(client, auditor):
    client.force_login(auditor)
    assert client.post(URL).status_code == 405


# --- alerts -----------------------------------------------------------------------------------------


def test_alerts_go_once_per_threshold_to_active_managers(story, manager, sent):
    retired = UserFactory(manager=True, email="ancien@tremplin.example.fr", is_active=False)
    emails = sent(call_command, "steering_budget_alerts")
    assert [m.to for m in emails] == [[manager.email]]
    assert "50 %" in emails[0].subject
    assert list(BudgetAlert.objects.values_list("threshold", "committed_cents")) == [(50, 550_000)]
    assert Notification.objects.filter(user=manager).count() == 1
    assert not Notification.objects.filter(user=retired).exists()
    assert sent(call_command, "steering_budget_alerts") == []  # a re-run sends nothing twice
    assert send_budget_alerts() == 0


def test_a_jump_over_several_thresholds_sends_one_alert_naming_the_highest(story, manager, sent):
    Envelope.objects.filter(pk=story.pk).update(total_cents=600_000)  # 550 000 of 600 000: 91.7 %
    (email,) = sent(send_budget_alerts)
    assert "90 %" in email.subject
    assert sorted(BudgetAlert.objects.values_list("threshold", flat=True)) == [50, 75, 90]


def test_a_reservation_triggers_the_check(story, manager, sent, django_capture_on_commit_callbacks):
    Envelope.objects.filter(pk=story.pk).update(total_cents=1_500_000)  # 550 000: 36.7 %, no alert
    assert send_budget_alerts() == 0
    application = ApplicationFactory(scheme=story.scheme)
    emails = sent(vouchers.submit, application.owner, application)  # 750 000 of 1 500 000: 50 %
    assert any("Budget" in m.subject and m.to == [manager.email] for m in emails)
    assert BudgetAlert.objects.filter(envelope=story, threshold=50).exists()


def test_the_alert_email_is_plain_french(story, manager, sent):
    (email,) = sent(send_budget_alerts)
    assert "5\u202f500 € engagés sur 10\u202f000 €" in email.body and "25 septembre 2026" in email.body
    assert mail.outbox and "/pilotage/budget/" in email.body


# --- the pre-aggregated figures ---------------------------------------------------------------------


def comparable(figs):
    """Everything a page shows of each envelope's figures."""
    return [
        (
            f.envelope.pk,
            f.total_cents,
            f.reserved_cents,
            f.firm_cents,
            f.disbursed_cents,
            f.free_cents,
            f.reconciled,
            [(m.month, m.committed_cents, m.disbursed_cents) for m in f.months],
            f.forecast,
        )
        for f in figs
    ]


def test_the_stored_figures_equal_the_live_ones_for_the_nation_and_a_territory(story, advisor, manager):
    isere = DepartementFactory(code="38", name="Isère")
    outside = ApplicationFactory(
        scheme=story.scheme, company=CompanyFactory(departement=isere, head_office_postal_code="38000")
    )
    vouchers.submit(outside.owner, outside)
    EnvelopeFactory(scheme=story.scheme, region__code="53", region__name="Bretagne")
    stock_facts.refresh()
    advisor.heads_organisation = True
    advisor.save()
    for user in (manager, advisor):
        scope = scope_for(user)
        assert comparable(budget.figures(scope)) == comparable(budget.live_figures(scope))
    assert len(budget.figures(scope_for(manager))) == 2


def test_the_stored_figures_are_those_of_the_refresh_until_the_next_one(story, manager, time_machine):
    time_machine.move_to(noon(6, 3), tick=False)
    application = ApplicationFactory(scheme=story.scheme)
    vouchers.submit(application.owner, application)  # no commit in a test: no refresh queued
    (fig,) = budget.figures(scope_for(manager))
    assert (fig.committed_cents, fig.reconciled, fig.months[-1].month) == (550_000, True, date(2026, 6, 1))
    stock_facts.refresh()
    (fig,) = budget.figures(scope_for(manager))
    assert (fig.committed_cents, fig.reconciled) == (750_000, True)


def test_no_figures_before_the_first_refresh(client, manager):
    EnvelopeFactory()
    client.force_login(manager)
    page = client.get(URL).content.decode()
    assert "Les chiffres du budget n'ont pas encore été calculés" in page
    assert "Aucune enveloppe" not in page and budget.figures(scope_for(manager)) == []


def test_the_page_makes_the_same_few_queries_whatever_the_ledger_holds(
    story, client, manager, django_assert_num_queries
):
    client.force_login(manager)
    client.get(URL)
    with django_assert_num_queries(8):
        client.get(URL)
    for _ in range(3):
        application = ApplicationFactory(scheme=story.scheme)
        vouchers.submit(application.owner, application)
    stock_facts.refresh()
    with django_assert_num_queries(8):
        client.get(URL)


def test_the_last_month_s_label_fits_in_the_chart(story, manager):
    chart = only_figures(manager).chart
    # A label is centred under its point; the widest ("sept. 26", 13 units) is about 60 units wide.
    assert int(chart["dots"][-1]["x"]) + 30 <= int(chart["width"])
    assert int(chart["dots"][0]["x"]) - 30 >= 0
