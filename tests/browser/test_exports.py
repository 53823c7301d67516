"""The exports in a real browser: a manager filters the files list, downloads it as Excel and as CSV
(the download event, a non-empty file holding the filtered rows), at desktop and phone widths."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.factories import ApplicationFactory, CompanyFactory
from tremplin.vouchers.models import State

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}


def test_a_manager_downloads_the_filtered_files_list(
    page, log_in, screenshot, manager, scheme, rhone, tmp_path
):
    submitted = ApplicationFactory(
        scheme=scheme,
        state=State.SUBMITTED,
        company=CompanyFactory(departement=rhone, denomination="Café Léon"),
    )
    rejected = ApplicationFactory(
        scheme=scheme, state=State.REJECTED, company=CompanyFactory(departement=rhone)
    )
    log_in(manager)
    page.goto(reverse("vouchers:list"))
    page.get_by_label("État du dossier").select_option(State.SUBMITTED)
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("link", name=submitted.reference)).to_be_visible()
    screenshot("list-1280")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exporter (Excel)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("dossiers-") and download.suggested_filename.endswith(
        ".xlsx"
    )
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert path.stat().st_size > 0
    sheet = load_workbook(path, read_only=True).worksheets[0]
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert table[0][:2] == ["Dossier", "Entreprise"]
    assert [row[0] for row in table[1:]] == [submitted.reference]
    assert rejected.reference not in str(table)

    page.set_viewport_size(PHONE)
    screenshot("list-375")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exporter (CSV)").click()
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert rows[1][:2] == [submitted.reference, "Café Léon"]
