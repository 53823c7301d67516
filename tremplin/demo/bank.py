"""The demo's bank accounts: one formula shared by the generator of data/demo/bank_accounts.csv
(scripts/make_demo_authority.py) and the seed, which puts each company's account on its files.

Standard library only: the generator runs without Django or the project's virtualenv.
"""

# Bank codes of French banks (the first five digits of a RIB).
BANKS = ("30002", "30003", "30004", "30006", "10107", "20041", "10278", "13807", "16806", "30076")


def french_iban(bank, branch, account):
    """A valid French IBAN from a RIB (bank, branch, 11-digit account): RIB key, then IBAN check digits."""
    key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
    bban = f"{bank}{branch}{account}{key:02d}"
    # ISO 13616: the BBAN then "FR00" as digits (F = 15, R = 27), modulo 97.
    check = 98 - int(bban + "152700") % 97
    return f"FR{check:02d}{bban}"


def _rib(siren, suffix):
    number = int(siren)
    return BANKS[number % len(BANKS)], f"{number % 9000 + 1000:05d}", f"{siren}{suffix}"


def company_iban(siren):
    """The company's account: its SIREN is the account number, followed by 01."""
    return french_iban(*_rib(siren, "01"))


def personal_iban(siren):
    """A director's own account, at the company's bank (the payee NO MATCH of the demo)."""
    return french_iban(*_rib(siren, "91"))
