import re


def euros(cents: int) -> str:
    """French formatting of an amount in cents: 250000 -> '2 500 €', 12345 -> '123,45 €'."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(int(cents)), 100)
    grouped = f"{whole:,}".replace(",", "\u202f")
    return f"{sign}{grouped},{rest:02d} €" if rest else f"{sign}{grouped} €"


AMOUNT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def parse_euros(text) -> int:
    """Parse an amount typed by a person ('1 234,56', '1234.5', '800 €') into cents.

    Raises ValueError with a French message for anything that is not a positive amount.
    """
    from decimal import Decimal, InvalidOperation

    raw = str(text).strip().replace("€", "").replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    raw = raw.replace(",", ".")
    if not raw:
        raise ValueError("Indiquez un montant.")
    if not AMOUNT.fullmatch(raw):  # digits only: no exponent ("1e30"), no "NaN" or "Infinity"
        raise ValueError("Le montant doit être un nombre, par exemple 1 500 ou 1 500,50.")
    try:
        value = Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the pattern above only lets decimal numbers through
        raise ValueError("Le montant doit être un nombre, par exemple 1 500 ou 1 500,50.") from None
    if value <= 0:
        raise ValueError("Le montant doit être supérieur à zéro.")
    # Compared before any rounding: quantize() fails on numbers longer than the context's precision.
    if value > Decimal("100000000"):
        raise ValueError("Le montant est trop élevé.")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("Le montant ne peut pas avoir plus de deux chiffres après la virgule.")
    return int(value * 100)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A cell value a spreadsheet will show as text, never run as a formula ('=HYPERLINK(...)' and the like).

    OWASP's CSV-injection advice: a leading quote makes the cell text in Excel and LibreOffice.
    """
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
