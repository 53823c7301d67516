import pytest
from django.urls import reverse

from tests.diagnostics.conftest import client_for, completed
from tests.diagnostics.helpers import all_maximum, answers, post_data, ticks
from tests.factories import CompanyFactory
from tremplin.diagnostics.models import Diagnostic, State


def walk(client, diagnostic_pk, data_by_question):
    response = None
    for step in range(1, 7):
        url = reverse("diagnostics:step", args=[diagnostic_pk, step])
        page = client.get(url)
        assert page.status_code == 200
        assert f'data-fr-current-step="{step}"' in page.content.decode()
        action = "finish" if step == 6 else "next"
        response = client.post(url, {**post_data(data_by_question, step), "_action": action})
        assert response.status_code == 302, response.content.decode()[:2000]
    return response


def test_an_owner_goes_from_the_list_to_results_and_the_pdf(owner, company):
    client = client_for(owner)
    assert client.get(reverse("diagnostics:list")).status_code == 200
    assert client.get(reverse("diagnostics:start")).status_code == 200
    lookup = client.post(reverse("diagnostics:start"), {"identifier": company.siren})
    assert company.display_name in lookup.content.decode()
    started = client.post(reverse("diagnostics:start"), {"identifier": company.siren, "confirm": "1"})
    diagnostic = Diagnostic.objects.get()
    assert started.url == reverse("diagnostics:step", args=[diagnostic.pk, 1])
    data = answers(
        q1={"invested": ["marketing"], "planned": ["admin"]}, q3=ticks("q3", 4), q7=["not_digital"]
    )
    finished = walk(client, diagnostic.pk, data)
    assert finished.url == reverse("diagnostics:results", args=[diagnostic.pk])
    diagnostic.refresh_from_db()
    assert diagnostic.state == State.COMPLETED
    assert diagnostic.answers["q1"] == {"invested": ["marketing"], "planned": ["admin"]}
    page = client.get(finished.url)
    html = page.content.decode()
    assert 'role="img"' in html and '<title id="radar-title">' in html
    assert "<table>" in html
    assert "Score global" in html
    pdf = client.get(reverse("diagnostics:report", args=[diagnostic.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_an_advisor_runs_the_diagnostic_with_the_owner(advisor, owner, company):
    client = client_for(advisor)
    page = client.get(reverse("diagnostics:start"))
    assert "owner_email" in page.content.decode()
    client.post(
        reverse("diagnostics:start"),
        {"identifier": company.siren, "owner_email": owner.email, "confirm": "1"},
    )
    diagnostic = Diagnostic.objects.get()
    assert (diagnostic.conducted_by, diagnostic.owner) == (advisor, owner)
    walk(client, diagnostic.pk, all_maximum())
    diagnostic.refresh_from_db()
    assert diagnostic.state == State.COMPLETED
    # The owner finds it in their own space.
    owner_page = client_for(owner).get(reverse("diagnostics:results", args=[diagnostic.pk]))
    assert owner_page.status_code == 200


def test_an_advisor_cannot_start_for_a_company_of_another_territory(far_advisor, company):
    response = client_for(far_advisor).post(
        reverse("diagnostics:start"), {"identifier": company.siren, "confirm": "1"}
    )
    assert response.status_code == 200
    assert "autre territoire" in response.content.decode()
    assert not Diagnostic.objects.exists()


def test_an_unknown_siren_is_explained(owner, db):
    response = client_for(owner).post(
        reverse("diagnostics:start"), {"identifier": "732829320", "confirm": "1"}
    )
    assert "pas dans le répertoire" in response.content.decode()


def test_a_ceased_company_is_refused_when_it_is_looked_up(owner, rhone):
    ceased = CompanyFactory(departement=rhone, state="C")
    response = client_for(owner).post(reverse("diagnostics:start"), {"identifier": ceased.siren})
    assert response.status_code == 200
    assert "déclarée cessée au répertoire SIRENE" in response.content.decode()
    assert "C&#x27;est la bonne entreprise" not in response.content.decode()
    assert not Diagnostic.objects.exists()


def test_answers_are_kept_and_the_list_offers_to_resume(owner, company, in_progress):
    client = client_for(owner)
    data = all_maximum()
    client.post(
        reverse("diagnostics:step", args=[in_progress.pk, 1]), {**post_data(data, 1), "_action": "next"}
    )
    response = client.post(
        reverse("diagnostics:step", args=[in_progress.pk, 2]), {**post_data(data, 2), "_action": "save"}
    )
    assert response.url == reverse("diagnostics:list")
    listing = client.get(reverse("diagnostics:list")).content.decode()
    assert "Reprendre mon diagnostic" in listing
    assert reverse("diagnostics:step", args=[in_progress.pk, 3]) in listing
    page = client.get(reverse("diagnostics:step", args=[in_progress.pk, 2])).content.decode()
    assert 'id="q3-website" value="website" checked' in page
    assert 'id="q4-cad-5" value="5" checked' in page


def test_autosave_answers_with_json_and_keeps_what_is_valid(owner, in_progress):
    client = client_for(owner)
    response = client.post(
        reverse("diagnostics:step", args=[in_progress.pk, 2]),
        {"q3": ["website"], "q4-cad": "3"},
        headers={"X-Autosave": "1"},
    )
    body = response.json()
    assert list(body["errors"]) == ["q4"]
    in_progress.refresh_from_db()
    assert in_progress.answers == {"q3": ["website"]}


def test_a_screen_with_a_refused_answer_shows_it_next_to_the_question(owner, in_progress):
    response = client_for(owner).post(
        reverse("diagnostics:step", args=[in_progress.pk, 4]),
        {"q7": ["not_digital", "stored"], "q8": ["backups"], "_action": "next"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "fr-fieldset--error" in html
    assert "pas les deux" in html
    in_progress.refresh_from_db()
    assert in_progress.answers == {"q8": ["backups"]}


def test_finishing_with_a_missing_screen_sends_back_to_it(owner, in_progress):
    client = client_for(owner)
    response = client.post(
        reverse("diagnostics:step", args=[in_progress.pk, 6]),
        {**post_data(all_maximum(), 6), "_action": "finish"},
    )
    assert response.url == reverse("diagnostics:step", args=[in_progress.pk, 1])
    in_progress.refresh_from_db()
    assert in_progress.state == State.IN_PROGRESS


def test_a_finished_diagnostic_sends_its_screens_to_the_results(owner, done):
    client = client_for(owner)
    response = client.post(reverse("diagnostics:step", args=[done.pk, 2]), {"q3": ["website"]})
    assert response.url == reverse("diagnostics:results", args=[done.pk])
    done.refresh_from_db()
    assert done.answers["q3"] == []


def test_an_unfinished_diagnostic_has_no_results_yet(owner, in_progress):
    response = client_for(owner).get(reverse("diagnostics:results", args=[in_progress.pk]))
    assert response.url == reverse("diagnostics:step", args=[in_progress.pk, 1])
    assert client_for(owner).get(reverse("diagnostics:report", args=[in_progress.pk])).status_code == 404


def test_a_step_out_of_range_is_not_found(owner, in_progress):
    assert client_for(owner).get(reverse("diagnostics:step", args=[in_progress.pk, 7])).status_code == 404


def test_reassessment_shows_the_change_per_dimension(owner, company):
    first = completed(owner, company, answers())
    second = completed(owner, company, all_maximum())
    html = client_for(owner).get(reverse("diagnostics:results", args=[second.pk])).content.decode()
    assert "T0" in html and "T1" in html
    assert "+100" in html
    assert "pointillés" in html
    assert first.pk != second.pk


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_step_page_speaks_the_visitors_language(owner, in_progress, language):
    client = client_for(owner)
    client.cookies["django_language"] = language
    html = client.get(reverse("diagnostics:step", args=[in_progress.pk, 1])).content.decode()
    expected = "Étape 1 sur 6" if language == "fr" else "Step 1 of 6"
    assert expected in html


def test_the_dashboard_snippet_offers_to_resume_the_unfinished_diagnostic(owner, in_progress, rf):
    from django.template import Context, Template

    request = rf.get("/")
    request.user = owner
    html = Template("{% load diagnostic_tags %}{% diagnostic_resume_link %}").render(
        Context({"request": request})
    )
    assert "Reprendre mon diagnostic" in html
    assert reverse("diagnostics:step", args=[in_progress.pk, 1]) in html


def test_a_visitor_finds_the_diagnostic_from_the_home_page_and_gets_the_pdf(client, owner, company):
    """The journey follows the links the pages show, as a person would."""
    import re

    home = client.get(reverse("core:home")).content.decode()
    start_url = re.search(r'href="([^"]+)"[^>]*>\s*Faire le diagnostic numérique', home).group(1)
    login_page = client.get(start_url)
    assert login_page.status_code == 302 and "next=" in login_page.url
    logged_in = client.post(
        login_page.url, {"username": owner.email, "password": "motdepasse-solide-42"}, follow=True
    )
    assert logged_in.request["PATH_INFO"] == start_url
    client.post(start_url, {"identifier": company.siren})
    started = client.post(start_url, {"identifier": company.siren, "confirm": "1"})
    diagnostic = Diagnostic.objects.get()
    finished = walk(client, diagnostic.pk, all_maximum())
    results = client.get(finished.url).content.decode()
    report_url = re.search(r'href="([^"]+)"[^>]*>[^<]*PDF', results).group(1)
    assert client.get(report_url).content.startswith(b"%PDF")
    assert started.status_code == 302


def test_the_results_ask_for_the_voucher_for_the_diagnosed_company(owner, done):
    html = client_for(owner).get(reverse("diagnostics:results", args=[done.pk])).content.decode()

    link = f'href="{reverse("vouchers:new")}?siren={done.company.siren}">Demander le chèque numérique</a>'
    assert link in html
