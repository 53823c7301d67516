from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.factories import CompanyFactory, luhn_complete
from tremplin.core.errors import PermissionDenied
from tremplin.network import reach, services
from tremplin.network.importer import ImportRefused, import_network
from tremplin.network.models import Action, AdvisorProfile, Match, MatchState, Organisation, Request

HEADER = "organisation;type;antenne;departements;email;prenom;nom;themes\n"


def test_the_network_csv_creates_organisations_antennas_and_advisors(rhone, loire, website, cyber):
    report = import_network(
        HEADER
        + "CCI Lyon;CCI;Lyon centre;69 42;ana@cci.fr;Ana;Dupont;site-internet cybersecurite\n"
        + "CCI Lyon;CCI;Lyon centre;69;leo@cci.fr;Léo;Durand;site-internet\n"
    )
    assert (report.organisations, report.antennas, report.advisors) == (1, 1, 2)
    profile = AdvisorProfile.objects.get(user__email="ana@cci.fr")
    assert profile.user.role == "advisor"
    assert set(profile.specialties.values_list("code", flat=True)) == {"site-internet", "cybersecurite"}
    assert set(profile.antenna.departements.values_list("code", flat=True)) == {"69", "42"}


def test_a_csv_with_unknown_departements_or_duplicate_emails_imports_nothing(rhone, website):
    with pytest.raises(ImportRefused) as refused:
        import_network(
            HEADER
            + "CCI Lyon;CCI;Lyon;69;ana@cci.fr;Ana;Dupont;site-internet\n"
            + "CCI Lyon;CCI;Lyon;99;leo@cci.fr;Léo;Durand;site-internet\n"
            + "CCI Lyon;CCI;Lyon;69;ana@cci.fr;Ana;Bis;site-internet\n"
        )
    assert [line for line, _ in refused.value.errors] == [3, 4]
    assert "département(s) inconnu(s) : 99" in refused.value.errors[0][1]
    assert "déjà utilisée ligne 2" in refused.value.errors[1][1]
    assert not Organisation.objects.exists()


def test_the_import_command_reports_each_bad_row(tmp_path, rhone, website, capsys):
    path = tmp_path / "reseau.csv"
    path.write_text(
        HEADER + "CCI Lyon;banque;Lyon;69;ana@cci.fr;Ana;Dupont;site-internet\n", encoding="utf-8"
    )
    with pytest.raises(CommandError, match="rien n'a été importé"):
        call_command("import_network", str(path))
    assert "type « banque » inconnu" in capsys.readouterr().err


def test_reminders_go_at_9_21_and_45_days_once_each(
    advisor, company, website, django_capture_on_commit_callbacks
):
    request = services.create_request(
        siret=luhn_complete(company.siren + "0001"),
        email="a@example.fr",
        theme_code=website.code,
        description="x",
    ).request
    match = request.matches.get()
    created = timezone.localtime(match.created_at).date()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_match_reminders(created + timedelta(days=8)) == 0
        assert services.send_match_reminders(created + timedelta(days=9)) == 1
        assert services.send_match_reminders(created + timedelta(days=10)) == 0
        assert services.send_match_reminders(created + timedelta(days=50)) == 1
        assert services.send_match_reminders(created + timedelta(days=60)) == 0
    assert len(mail.outbox) == 2
    assert "45 jours" in mail.outbox[1].subject


def test_requests_untouched_for_six_months_are_archived(advisor, company, website):
    request = services.create_request(
        siret=luhn_complete(company.siren + "0001"),
        email="a@example.fr",
        theme_code=website.code,
        description="x",
    ).request
    today = timezone.localtime(request.touched_at).date()
    assert services.archive_stale_requests(today + timedelta(days=150)) == 0
    assert services.archive_stale_requests(today + timedelta(days=190)) == 1
    request.refresh_from_db()
    assert request.status == "archived"
    call_command("run_network_jobs")


def test_an_awareness_session_counts_known_companies_and_reports_unknown_numbers(advisor, website, company):
    session, unknown = services.record_awareness_session(
        advisor,
        on=date(2026, 3, 2),
        theme=website,
        title="Atelier site internet",
        identifiers=[company.siren, luhn_complete(company.siren + "0001"), "73282932000074"],
    )
    assert session.actions.count() == 1
    assert unknown == ["73282932000074"]


def test_only_advisors_record_actions(owner, website, company):
    with pytest.raises(PermissionDenied):
        services.record_coaching_session(owner, company=company, on=date(2026, 3, 2), hours="2", topic="Site")


def test_reach_counts_each_company_once_in_the_month_of_its_first_action(advisor, other_advisor, rhone):
    first, second = CompanyFactory(departement=rhone), CompanyFactory(departement=rhone)
    services.record_coaching_session(advisor, company=first, on=date(2026, 1, 15), hours="1,5", topic="Site")
    services.log_action("diagnostic", other_advisor, first, date(2026, 2, 3))
    services.log_action("diagnostic", advisor, first, date(2026, 2, 4))
    services.log_action("awareness", other_advisor, second, date(2026, 2, 10))
    assert reach.reach("advisor") == {
        (advisor.pk, date(2026, 1, 1)): 1,
        (other_advisor.pk, date(2026, 2, 1)): 1,
    }
    assert reach.reach("organisation") == {
        (advisor.organisation_id, date(2026, 1, 1)): 1,
        (other_advisor.organisation_id, date(2026, 2, 1)): 1,
    }
    assert reach.reach("departement") == {("69", date(2026, 1, 1)): 1, ("69", date(2026, 2, 1)): 1}
    assert reach.firms_reached(since=date(2026, 2, 1)) == 1
    assert Action.objects.get(coaching_session__isnull=False).coaching_session.hours == Decimal("1.50")


def test_a_closed_match_cannot_be_reassigned(advisor, other_advisor, manager, company, website):
    request = services.create_request(
        siret=luhn_complete(company.siren + "0001"),
        email="a@example.fr",
        theme_code=website.code,
        description="x",
    ).request
    match = request.matches.get()
    services.change_match_state(advisor, match, MatchState.NOT_REACHABLE)
    with pytest.raises(Exception, match="close"):
        services.reassign_match(manager, match, other_advisor)
    assert Match.objects.get(pk=match.pk).advisor == advisor
    assert Request.objects.get(pk=request.pk).status == "not_reachable"
