"""SIRENE headcount brackets (tranches d'effectifs), in increasing order, with plain French labels."""

# "NN": no employee (non-employer unit).
HEADCOUNT_BRACKETS = [
    "NN",
    "00",
    "01",
    "02",
    "03",
    "11",
    "12",
    "21",
    "22",
    "31",
    "32",
    "41",
    "42",
    "51",
    "52",
    "53",
]
BRACKET_LABELS = {
    "NN": "sans salarié",
    "00": "0 salarié",
    "01": "1 ou 2 salariés",
    "02": "3 à 5 salariés",
    "03": "6 à 9 salariés",
    "11": "10 à 19 salariés",
    "12": "20 à 49 salariés",
    "21": "50 à 99 salariés",
    "22": "100 à 199 salariés",
    "31": "200 à 249 salariés",
    "32": "250 à 499 salariés",
    "41": "500 à 999 salariés",
    "42": "1 000 à 1 999 salariés",
    "51": "2 000 à 4 999 salariés",
    "52": "5 000 à 9 999 salariés",
    "53": "10 000 salariés ou plus",
}

# The most staff each bracket counts (53, "10 000 or more", has no top).
BRACKET_TOPS = {
    "NN": 0,
    "00": 0,
    "01": 2,
    "02": 5,
    "03": 9,
    "11": 19,
    "12": 49,
    "21": 99,
    "22": 199,
    "31": 249,
    "32": 499,
    "41": 999,
    "42": 1999,
    "51": 4999,
    "52": 9999,
    "53": None,
}


def fewer_than(limit):
    """A bracket limit said in staff: brackets up to `limit` all have fewer than this (None: no bound)."""
    top = BRACKET_TOPS.get(limit)
    return None if top is None else top + 1
