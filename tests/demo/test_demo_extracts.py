"""The demo's extracts of the business register and of the banks: what scripts/make_demo_authority.py
writes, as committed, in the columns the adapters read."""

import csv
import io
import subprocess
import sys
import zipfile
from pathlib import Path

from django.conf import settings

from tremplin.authority.payee import BankFile
from tremplin.authority.sources import RneFile
from tremplin.core.validators import clean_iban
from tremplin.demo.bank import company_iban

DEMO = Path(settings.BASE_DIR, "data", "demo")
SCRIPT = Path(settings.BASE_DIR, "scripts", "make_demo_authority.py")


def rows(name):
    with (DEMO / name).open(newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def test_the_generator_writes_the_committed_files_again_byte_for_byte(tmp_path):
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path)], check=True, capture_output=True)

    for name in ("rne_representatives.csv", "bank_accounts.csv"):
        assert (tmp_path / name).read_bytes() == (DEMO / name).read_bytes(), name


def test_the_extracts_have_the_columns_the_adapters_read_and_valid_french_ibans():
    with (DEMO / "rne_representatives.csv").open(encoding="utf-8") as stream:
        assert tuple(stream.readline().strip().split(",")) == RneFile.COLUMNS
    with (DEMO / "bank_accounts.csv").open(encoding="utf-8") as stream:
        assert tuple(stream.readline().strip().split(",")) == BankFile.COLUMNS
    accounts = rows("bank_accounts.csv")
    assert all(clean_iban(row["iban"]).startswith("FR") for row in accounts)
    assert len({row["iban"] for row in accounts}) == len(accounts)
    # Small enough to sit in the repository.
    assert (
        sum((DEMO / name).stat().st_size for name in ("rne_representatives.csv", "bank_accounts.csv"))
        < 400_000
    )


def legal_units():
    with zipfile.ZipFile(DEMO / "StockUniteLegale_demo.zip") as archive:
        (member,) = archive.namelist()
        with archive.open(member) as raw:
            return [
                (row["siren"], row["categorieJuridiqueUniteLegale"])
                for row in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8"))
            ]


def test_every_company_but_a_sole_trader_has_a_director_and_each_its_account():
    representatives = rows("rne_representatives.csv")
    directed = {row["siren"] for row in representatives}
    accounts = {row["iban"]: row["titulaire"] for row in rows("bank_accounts.csv")}

    units = legal_units()
    assert directed == {siren for siren, form in units if form != "1000"}
    assert all(company_iban(siren) in accounts for siren, _form in units)
    assert all(len(row["date_naissance"]) == 7 for row in representatives)
    [camille] = RneFile(DEMO / "rne_representatives.csv").representatives("999900012")
    assert (camille.family_name, camille.given_names, camille.role) == ("MARTIN", "Camille", "Gérant")
    assert accounts[company_iban("999900012")] == "BOULANGERIE DES CANUTS"
