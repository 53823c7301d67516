"""A scheme's typed eligibility rules, in plain French, in one place. Pure functions over plain inputs.

Every rule answers: passed (True), failed (False) or cannot tell yet (None,
an answer is missing), with a sentence in plain French the owner can act on.
Each rule also states itself as a condition ("Employer au plus 10 salariés."), for the pages that
present a scheme before anyone applies; both read the same parameters and defaults.
"""

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext

from tremplin.core.formatting import euros
from tremplin.registry import legal_forms
from tremplin.registry.headcount import BRACKET_LABELS, HEADCOUNT_BRACKETS, fewer_than

# What a rule's parameters are when the scheme leaves them out.
DEFAULTS = {
    "max_headcount_bracket": {"max": "11"},
    "max_declared_headcount": {"max": 10},
    "max_turnover": {"max_cents": 200_000_000},
    "min_company_age": {"months": 6},
    "excluded_legal_forms": {"prefixes": []},
    "excluded_naf": {"codes": []},
    "territories": {"regions": []},
    "de_minimis": {"ceiling_cents": 30_000_000},
    "diagnostic_completed": {"months": 12},
    "support_action": {"months": 6},
    "max_vouchers_per_company": {"max": 1},
}


def parameters(kind, params):
    """A rule's parameters with the defaults of its kind filled in."""
    return {**DEFAULTS.get(kind, {}), **(params or {})}


@dataclass(frozen=True)
class Facts:
    """What the rules look at: the registry's company and the owner's declarations."""

    company: object  # registry.Company
    on: date
    declared_headcount: int | None = None
    declared_turnover_cents: int | None = None
    declared_de_minimis_cents: int | None = None
    # The single undertaking (Regulation (EU) 2023/2831 art. 2(2)): whether the owner said if the company
    # has linked companies (None: not answered), the aid those declared received, and the programme's own
    # vouchers granted to any company of it within the 3-year period `de_minimis_period` (start, end).
    has_linked_companies: bool | None = False
    linked_de_minimis_cents: int = 0
    granted_de_minimis_cents: int = 0
    de_minimis_period: tuple | None = None
    amount_cents: int | None = None
    has_other_open_file: bool = False
    # References of the vouchers this company was already granted under the scheme (expired ones aside).
    vouchers_granted: tuple = ()
    # Prerequisites: dates of the company's last completed diagnostic and of its last
    # awareness session or diagnostic with an advisor (None when there is none).
    last_diagnostic_on: date | None = None
    last_support_action_on: date | None = None


class Message(str):
    """A rule's sentence: French (the programme's language) as a string, translatable at display.

    `msgid` is the French sentence with %(name)s placeholders, `params` their values (a value may be
    a Message itself); `translated()` says it in the active language.
    """

    def __new__(cls, msgid, **params):
        message = super().__new__(cls, msgid % {k: str(v) for k, v in params.items()} if params else msgid)
        message.msgid, message.params = msgid, params
        return message

    def as_dict(self):
        return {
            "msgid": self.msgid,
            "params": {k: v.as_dict() if isinstance(v, Message) else v for k, v in self.params.items()},
        }


def gettext_noop(msgid):
    return msgid


def translated(message):
    """`message` (a Message, or one as a file keeps it: {"msgid", "params"}) in the active language."""
    if isinstance(message, Message):
        msgid, params = message.msgid, message.params
    elif isinstance(message, dict) and "msgid" in message:
        msgid, params = message["msgid"], message.get("params") or {}
    else:
        return message
    if not params:
        return gettext(msgid)
    return gettext(msgid) % {k: translated(v) for k, v in params.items()}


def _m(msgid, **params):
    return Message(msgid, **params)


@dataclass(frozen=True)
class RuleResult:
    kind: str
    label: str
    passed: bool | None
    message: str

    def as_dict(self):
        data = {"kind": self.kind, "label": self.label, "passed": self.passed, "message": str(self.message)}
        if isinstance(self.message, Message):
            data["text"] = self.message.as_dict()
        return data


def _active(params, f):
    if f.company.is_active:
        return True, _m(gettext_noop("L'entreprise est active au répertoire SIRENE."))
    return (
        False,
        _m(
            gettext_noop(
                "L'entreprise est déclarée cessée au répertoire SIRENE : elle ne peut pas recevoir le chèque."
            )
        ),
    )


def _staff_limit(limit, de=True):
    """The highest bracket allowed, said in staff ("moins de 20 salariés"), for every message of the rule."""
    below = fewer_than(limit)
    if below is None:
        return _m(gettext_noop("sans limite de salariés"))
    if below == 1:
        return _m(gettext_noop("sans salarié"))
    if de:
        return _m(gettext_noop("de moins de %(count)s salariés"), count=below)
    return _m(gettext_noop("moins de %(count)s salariés"), count=below)


def _max_bracket(params, f):
    limit = params["max"]
    bracket = f.company.headcount_bracket or "NN"
    if bracket not in HEADCOUNT_BRACKETS:
        return None, _m(
            gettext_noop("La tranche d'effectifs de l'entreprise n'est pas connue du répertoire.")
        )
    label = BRACKET_LABELS[bracket]
    if HEADCOUNT_BRACKETS.index(bracket) <= HEADCOUNT_BRACKETS.index(limit):
        return True, _m(
            gettext_noop(
                "Le répertoire SIRENE indique « %(label)s » : %(staff)s, c'est dans la limite du dispositif."
            ),
            label=label,
            staff=_staff_limit(limit, de=False),
        )
    return False, _m(
        gettext_noop(
            "Le répertoire SIRENE indique « %(label)s » : le dispositif est réservé aux entreprises "
            "%(staff)s d'après le répertoire."
        ),
        label=label,
        staff=_staff_limit(limit),
    )


def _max_declared_headcount(params, f):
    limit = params["max"]
    if f.declared_headcount is None:
        return None, _m(gettext_noop("Indiquez votre nombre de salariés (au plus %(limit)s)."), limit=limit)
    if f.declared_headcount <= limit:
        return True, _m(
            gettext_noop("Vous déclarez %(count)s salarié(s), au plus %(limit)s : c'est bon."),
            count=f.declared_headcount,
            limit=limit,
        )
    return (
        False,
        _m(
            gettext_noop("Vous déclarez %(count)s salariés : le dispositif est limité à %(limit)s salariés."),
            count=f.declared_headcount,
            limit=limit,
        ),
    )


def _max_turnover(params, f):
    limit = params["max_cents"]
    if f.declared_turnover_cents is None:
        return None, _m(
            gettext_noop("Indiquez votre chiffre d'affaires du dernier exercice (moins de %(amount)s)."),
            amount=euros(limit),
        )
    if f.declared_turnover_cents < limit:
        return True, _m(
            gettext_noop("Votre chiffre d'affaires déclaré est inférieur à %(amount)s."), amount=euros(limit)
        )
    return (
        False,
        _m(
            gettext_noop(
                "Votre chiffre d'affaires déclaré atteint %(amount)s ou plus : le dispositif est réservé aux "
                "plus petites entreprises."
            ),
            amount=euros(limit),
        ),
    )


def _min_age(params, f):
    months = params["months"]
    age = f.company.age_in_months(f.on)
    if age is None:
        return None, _m(gettext_noop("La date de création de l'entreprise n'est pas connue du répertoire."))
    if age >= months:
        return True, _m(
            gettext_noop("L'entreprise a été créée il y a au moins %(months)s mois."), months=months
        )
    return (
        False,
        _m(
            gettext_noop(
                "L'entreprise a été créée il y a moins de %(months)s mois : vous pourrez déposer une demande "
                "plus tard."
            ),
            months=months,
        ),
    )


def _excluded_legal_forms(params, f):
    prefixes = params["prefixes"]
    form = f.company.legal_form or ""
    if any(form.startswith(p) for p in prefixes):
        excluded = params.get("label") or legal_forms.summary(prefixes)
        named = legal_forms.label(form) or _m(gettext_noop("non répertoriée"))
        return (
            False,
            _m(
                gettext_noop(
                    "La forme juridique de l'entreprise (%(named)s) fait partie des exclusions du dispositif "
                    "(%(excluded)s)."
                ),
                named=named,
                excluded=excluded,
            ),
        )
    return True, _m(gettext_noop("La forme juridique de l'entreprise est admise."))


def _excluded_naf(params, f):
    codes = params["codes"]
    naf = f.company.naf_code or ""
    if any(naf.startswith(c) for c in codes):
        return False, _m(
            gettext_noop(
                "L'activité principale de l'entreprise (%(naf)s) n'est pas couverte par le dispositif."
            ),
            naf=naf,
        )
    return True, _m(gettext_noop("L'activité principale de l'entreprise est couverte par le dispositif."))


def _territories(params, f):
    regions = params["regions"]
    dep = f.company.departement
    if dep is None:
        return None, _m(gettext_noop("La commune du siège de l'entreprise n'est pas connue du répertoire."))
    if not regions or dep.region_id in regions:
        return True, _m(
            gettext_noop("Le siège de l'entreprise est situé dans un territoire couvert (%(name)s)."),
            name=dep.name,
        )
    return False, _m(
        gettext_noop("Le siège de l'entreprise (%(name)s) est hors des régions couvertes par le dispositif."),
        name=dep.name,
    )


def _de_minimis(params, f):
    ceiling = params["ceiling_cents"]
    if f.declared_de_minimis_cents is None:
        return (
            None,
            _m(
                gettext_noop(
                    "Indiquez le total des aides « de minimis » reçues sur les 3 dernières années (0 si aucune)."
                )
            ),
        )
    if f.has_linked_companies is None:
        return (
            None,
            _m(
                gettext_noop(
                    "Dites si votre entreprise est liée à d'autres entreprises (« entreprise unique ») : leurs "
                    "aides de minimis comptent avec les vôtres."
                )
            ),
        )
    amount = f.amount_cents or 0
    total = f.declared_de_minimis_cents + f.linked_de_minimis_cents + f.granted_de_minimis_cents + amount
    if f.de_minimis_period is None:
        # Without the period (a check on the declarations alone), the short sentences.
        if total <= ceiling:
            return True, _m(
                gettext_noop(
                    "Avec ce chèque, vos aides de minimis restent sous le plafond de %(ceiling)s sur 3 ans."
                ),
                ceiling=euros(ceiling),
            )
        return False, _m(
            gettext_noop(
                "Avec ce chèque, vos aides de minimis atteindraient %(total)s, au-delà du plafond de "
                "%(ceiling)s sur 3 ans."
            ),
            total=euros(total),
            ceiling=euros(ceiling),
        )
    start, end = f.de_minimis_period
    detail = {
        "total": euros(total),
        "ceiling": euros(ceiling),
        "start": f"{start:%d/%m/%Y}",
        "end": f"{end:%d/%m/%Y}",
        "declared": euros(f.declared_de_minimis_cents),
        "linked": euros(f.linked_de_minimis_cents),
        "granted": euros(f.granted_de_minimis_cents),
        "amount": euros(amount),
    }
    if total <= ceiling:
        return True, _m(
            gettext_noop(
                "Avec ce chèque, les aides de minimis de votre entreprise unique atteignent %(total)s du "
                "%(start)s au %(end)s : c'est sous le plafond de %(ceiling)s sur 3 ans."
            ),
            **detail,
        )
    return False, _m(
        gettext_noop(
            "Avec ce chèque, les aides de minimis de votre entreprise unique atteindraient %(total)s du "
            "%(start)s au %(end)s, au-delà du plafond de %(ceiling)s sur 3 ans : vos aides déclarées "
            "%(declared)s, celles des entreprises liées %(linked)s, les chèques du programme déjà accordés "
            "%(granted)s et ce chèque %(amount)s. Le chèque ne peut pas être accordé."
        ),
        **detail,
    )


def _one_open(params, f):
    if f.has_other_open_file:
        return (
            False,
            _m(
                gettext_noop(
                    "Une autre demande est déjà en cours pour cette entreprise : une seule à la fois est possible."
                )
            ),
        )
    return True, _m(gettext_noop("Aucune autre demande n'est en cours pour cette entreprise."))


def _max_vouchers(params, f):
    limit = params["max"]
    count = len(f.vouchers_granted)
    if count < limit:
        return True, _m(
            gettext_noop(
                "Votre entreprise peut encore recevoir ce chèque (au plus %(limit)s par entreprise)."
            ),
            limit=limit,
        )
    granted = ", ".join(f.vouchers_granted)
    return False, _m(
        gettext_noop(
            "Votre entreprise a déjà reçu %(count)s chèque(s) de ce dispositif (%(granted)s) : il en accorde au "
            "plus %(limit)s par entreprise, sur toute sa durée. Un chèque expiré, refusé ou retiré ne compte pas."
        ),
        count=count,
        granted=granted,
        limit=limit,
    )


def _months_before(on: date, months: int) -> date:
    """The same day `months` months earlier (the last day of that month when it is shorter)."""
    year, month = divmod(on.year * 12 + on.month - 1 - months, 12)
    month += 1
    return date(year, month, min(on.day, calendar.monthrange(year, month)[1]))


def _diagnostic_completed(params, f):
    months = params["months"]
    if f.last_diagnostic_on and f.last_diagnostic_on >= _months_before(f.on, months):
        return True, _m(
            gettext_noop("Votre entreprise a fait son diagnostic numérique le %(date)s."),
            date=f"{f.last_diagnostic_on:%d/%m/%Y}",
        )
    if f.last_diagnostic_on:
        return False, _m(
            gettext_noop(
                "Le dernier diagnostic numérique date du %(date)s : refaites-le (il doit dater de moins de "
                "%(months)s mois). Cela prend une quinzaine de minutes."
            ),
            date=f"{f.last_diagnostic_on:%d/%m/%Y}",
            months=months,
        )
    return False, _m(
        gettext_noop(
            "Faites d'abord le diagnostic numérique de votre entreprise (moins de %(months)s mois). "
            "Cela prend une quinzaine de minutes et vous dit par où commencer."
        ),
        months=months,
    )


def _support_action(params, f):
    months = params["months"]
    if f.last_support_action_on and f.last_support_action_on >= _months_before(f.on, months):
        return True, _m(
            gettext_noop(
                "Votre entreprise a participé à une sensibilisation ou un diagnostic avec un conseiller "
                "le %(date)s."
            ),
            date=f"{f.last_support_action_on:%d/%m/%Y}",
        )
    return False, _m(
        gettext_noop(
            "Participez d'abord à une réunion de sensibilisation ou faites un diagnostic avec un conseiller "
            "de votre chambre (dans les %(months)s derniers mois)."
        ),
        months=months,
    )


def _active_condition(params, rules):
    return gettext("Être une entreprise active, inscrite au répertoire SIRENE.")


def _max_declared_headcount_condition(params, rules):
    return gettext("Employer au plus %(max)s salariés.") % {"max": params["max"]}


def _max_bracket_condition(params, rules):
    if any(rule.kind == "max_declared_headcount" for rule in rules):
        return None  # the declared headcount says it better
    limit = params["max"]
    label = BRACKET_LABELS.get(limit, limit)
    below = fewer_than(limit)
    if below is None:
        return None  # every bracket passes
    if below == 1:
        return gettext("N'avoir aucun salarié d'après le répertoire SIRENE.")
    return gettext(
        "Avoir moins de %(count)s salariés d'après le répertoire SIRENE (tranche d'effectifs « %(label)s » au plus)."
    ) % {"count": below, "label": label}


def _max_turnover_condition(params, rules):
    return gettext("Avoir un chiffre d'affaires annuel inférieur à %(amount)s.") % {
        "amount": euros(params["max_cents"])
    }


def _min_age_condition(params, rules):
    return gettext("Avoir été créée il y a au moins %(months)s mois.") % {"months": params["months"]}


def _excluded_legal_forms_condition(params, rules):
    if not params["prefixes"]:
        return None
    # A scheme's own label is shown as written; otherwise INSEE's labels of the excluded categories.
    label = params.get("label") or legal_forms.summary(params["prefixes"])
    return gettext("Certaines formes juridiques sont exclues : %(label)s.") % {"label": label}


def _excluded_naf_condition(params, rules):
    return gettext("Certaines activités sont exclues du dispositif.")


def _territories_condition(params, rules):
    return gettext("Avoir son siège dans une région couverte par le dispositif.")


def _de_minimis_condition(params, rules):
    return gettext(
        "Ne pas dépasser %(amount)s d'aides publiques « de minimis » sur 3 ans, chèque compris."
    ) % {"amount": euros(params["ceiling_cents"])}


def _one_open_condition(params, rules):
    return gettext("Avoir une seule demande en cours à la fois.")


def _max_vouchers_condition(params, rules):
    return gettext(
        "Recevoir au plus %(max)s chèque(s) de ce dispositif par entreprise, sur toute sa durée."
    ) % {"max": params["max"]}


@dataclass(frozen=True)
class Rule:
    """One kind of rule: how it is evaluated, how it is stated, and whether the registry alone answers it."""

    evaluate: Callable
    # (params, the scheme's rules) -> the sentence, or None when another rule says it better.
    condition: Callable | None = None
    # The registry's data suffice, and nothing we would not disclose to an anonymous visitor:
    # the quick eligibility check answers it; the others wait for the application.
    registry_only: bool = False


RULES = {
    "active_in_registry": Rule(_active, _active_condition, registry_only=True),
    "max_headcount_bracket": Rule(_max_bracket, _max_bracket_condition, registry_only=True),
    "max_declared_headcount": Rule(_max_declared_headcount, _max_declared_headcount_condition),
    "max_turnover": Rule(_max_turnover, _max_turnover_condition),
    "min_company_age": Rule(_min_age, _min_age_condition, registry_only=True),
    "excluded_legal_forms": Rule(_excluded_legal_forms, _excluded_legal_forms_condition, registry_only=True),
    "excluded_naf": Rule(_excluded_naf, _excluded_naf_condition, registry_only=True),
    "territories": Rule(_territories, _territories_condition, registry_only=True),
    "de_minimis": Rule(_de_minimis, _de_minimis_condition),
    # One open file per company: we do not disclose it to anonymous visitors.
    "one_open_voucher": Rule(_one_open, _one_open_condition),
    # Nor whether a company already received a voucher.
    "max_vouchers_per_company": Rule(_max_vouchers, _max_vouchers_condition),
    "diagnostic_completed": Rule(_diagnostic_completed),
    "support_action": Rule(_support_action),
}


def evaluate(rules, facts: Facts) -> list[RuleResult]:
    """Evaluate every rule (no short-circuit): the owner sees all that is wrong at once."""
    results = []
    for rule in rules:
        passed, message = RULES[rule.kind].evaluate(parameters(rule.kind, rule.params), facts)
        # The kind's label in the current language (get_kind_display() hashes every choice at each call).
        results.append(RuleResult(rule.kind, str(type(rule).Kind(rule.kind).label), passed, message))
    return results


def condition(rule, rules):
    """The rule as a condition of the scheme, a sentence an owner understands (None: not worth a line).

    `rules` are all the scheme's rules (another may say it better). A kind with no sentence of its
    own is stated by its name.
    """
    state = RULES[rule.kind].condition
    if state is None:
        return rule.get_kind_display()
    return state(parameters(rule.kind, rule.params), rules)


def answered_by_registry(rule) -> bool:
    """Whether the registry alone answers the rule (the anonymous quick check evaluates only these)."""
    return RULES[rule.kind].registry_only


def all_passed(results) -> bool:
    return all(r.passed is True for r in results)
