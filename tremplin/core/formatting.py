def euros(cents: int) -> str:
    """French formatting of an amount in cents: 250000 -> '2 500 €', 12345 -> '123,45 €'."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(int(cents)), 100)
    grouped = f"{whole:,}".replace(",", "\u202f")
    return f"{sign}{grouped},{rest:02d} €" if rest else f"{sign}{grouped} €"


def parse_euros(text) -> int:
    """Parse an amount typed by a person ('1 234,56', '1234.5', '800 €') into cents.

    Raises ValueError with a French message for anything that is not a positive amount.
    """
    from decimal import Decimal, InvalidOperation

    raw = str(text).strip().replace("€", "").replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    raw = raw.replace(",", ".")
    if not raw:
        raise ValueError("Indiquez un montant.")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError("Le montant doit être un nombre, par exemple 1 500 ou 1 500,50.") from None
    if not value.is_finite():
        raise ValueError("Le montant doit être un nombre, par exemple 1 500 ou 1 500,50.")
    if value <= 0:
        raise ValueError("Le montant doit être supérieur à zéro.")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("Le montant ne peut pas avoir plus de deux chiffres après la virgule.")
    if value > Decimal("100000000"):
        raise ValueError("Le montant est trop élevé.")
    return int(value * 100)
