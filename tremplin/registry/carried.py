"""The company a person named once, carried to the next form that asks for it.

An owner types a SIREN in the quick eligibility check, then signs up or logs in, starts the
diagnostic, asks for the voucher: each of these forms finds the company already there. The SIREN
travels in the session (the quick check remembers it; logging in keeps the session's data, logging
out forgets it) and in the links the pages show (`?siren=`, which wins over the session). It is a
suggestion only: every form looks it up in the registry again, and a number that is malformed,
unknown or ceased suggests nothing.
"""

from tremplin.core.errors import ServiceError
from tremplin.registry.lookup import company_for

SESSION_KEY = "named_siren"
PARAMETER = "siren"


def remember(request, company):
    """Carry this company to the next forms of this visit."""
    request.session[SESSION_KEY] = company.siren


def carried_company(request):
    """The active company the link or the session names, looked up again; None when there is none."""
    value = request.GET.get(PARAMETER) or request.session.get(SESSION_KEY)
    if not value or len(value) > 20:
        return None
    try:
        company, _establishment = company_for(value)
    except ServiceError:
        return None
    return company
