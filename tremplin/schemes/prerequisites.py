"""Facts of the prerequisite rules, told by the apps that record them.

A scheme may require a recent digital diagnostic, or a recent awareness session or diagnostic with an
advisor. The apps that record those sit above schemes and vouchers (diagnostics, network), so nobody here
imports them: each registers, in its AppConfig.ready(), a function `company -> date | None` under the
name of the `Facts` field it fills, and vouchers asks `facts_for(company)`.
"""

from dataclasses import fields

from tremplin.schemes.eligibility import Facts

FACT_NAMES = frozenset(f.name for f in fields(Facts))

_providers = {}


def register(name, fn):
    """Let `fn(company)` supply the fact `name` of schemes.eligibility.Facts."""
    if name not in FACT_NAMES:
        raise ValueError(f"{name!r} is not a field of schemes.eligibility.Facts.")
    _providers[name] = fn


def facts_for(company):
    """Every registered fact about `company`, as keywords for `dataclasses.replace(facts, ...)`.

    A fact nobody registered keeps its default in Facts (None: the rule cannot pass).
    """
    return {name: fn(company) for name, fn in _providers.items()}
