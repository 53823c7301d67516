"""Words of the programme an owner may not know, each with a short explanation in plain French.

Pages explain them where they appear (`{% explain "de_minimis" %}`, a DSFR tooltip); a rule of a
scheme that uses one is explained by it (`term_for_rule`).
"""

from django.utils.translation import gettext_lazy as _

# term: (the word as the page shows it, what it means)
TERMS = {
    "dispositif": (
        _("dispositif"),
        _(
            "Un dispositif est un programme d'aide publique avec ses propres règles : montant, "
            "conditions, dates d'ouverture. Le chèque numérique est un dispositif."
        ),
    ),
    "de_minimis": (
        _("de minimis"),
        _(
            "Les aides « de minimis » sont les petites aides publiques (subventions, chèques, prêts "
            "aidés) qu'une entreprise peut recevoir sans accord de la Commission européenne, jusqu'à "
            "300 000 € sur 3 ans. Le courrier qui vous a accordé une aide dit si elle en est une."
        ),
    ),
    "tranche_effectifs": (
        _("tranche d'effectifs"),
        _(
            "La tranche d'effectifs est la fourchette de salariés (par exemple « 3 à 5 salariés ») que "
            "l'Insee inscrit pour votre entreprise au répertoire SIRENE, d'après vos déclarations "
            "sociales. Elle peut dater d'un an ou deux."
        ),
    ),
    "sirene": (
        _("SIRENE"),
        _(
            "Le répertoire SIRENE est le répertoire officiel des entreprises, tenu par l'Insee. Il "
            "donne à chacune son numéro SIREN et dit où elle est, ce qu'elle fait et sa taille."
        ),
    ),
}

# The kinds of eligibility rule whose name or text uses a term.
RULE_TERMS = {
    "active_in_registry": "sirene",
    "max_headcount_bracket": "tranche_effectifs",
    "de_minimis": "de_minimis",
}


def term_for_rule(kind):
    """The term that explains a rule of this kind, or None."""
    return RULE_TERMS.get(kind)
