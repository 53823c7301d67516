"""Building valid SIREN/SIRET numbers (demo data, tests, benchmarks). Plain Python, no Django."""

from stdnum import luhn


def with_check_digit(prefix: str) -> str:
    """Append the Luhn check digit: 8 digits make a SIREN, 13 a SIRET."""
    return prefix + luhn.calc_check_digit(prefix)
