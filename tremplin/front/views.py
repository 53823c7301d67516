"""Pages that belong to no domain: home, quick eligibility check, dashboard, legal pages."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_safe
from django.views.i18n import set_language as django_set_language

from tremplin.accounts.models import Role
from tremplin.core import ratelimits
from tremplin.core.formatting import euros
from tremplin.diagnostics.access import may_start
from tremplin.registry.carried import remember
from tremplin.registry.forms import CompanyLookupForm
from tremplin.registry.models import Commune
from tremplin.schemes.eligibility import Facts, answered_by_registry, condition, evaluate, parameters
from tremplin.schemes.models import Scheme, SpendCategory

# Where each role starts after logging in; these pages belong to other apps.
ROLE_HOME = {
    Role.OWNER: "vouchers:list",
    Role.ADVISOR: "vouchers:queue",
    Role.MANAGER: "payments:batches",
    Role.AUDITOR: "vouchers:list",
    Role.PROVIDER: "providers:dashboard",
}


def open_scheme():
    """The scheme taking applications now (the most recently opened), with its current rules."""
    now = timezone.now()
    scheme = (
        Scheme.objects.filter(window_opens_at__lte=now, window_closes_at__gt=now)
        .order_by("-window_opens_at")
        .first()
    )
    if scheme is not None:
        scheme.rule_list = list(scheme.current_rules())
    return scheme


def scheme_terms(scheme):
    if scheme is None:
        return None
    conditions = [
        {"kind": rule.kind, "text": text}
        for rule in scheme.rule_list
        if (text := condition(rule, scheme.rule_list))
    ]
    categories = dict(SpendCategory.choices)
    return {
        "spend_labels": [categories[value] for value in scheme.spend_categories if value in categories],
        "rate": f"{scheme.rate.normalize():f}".replace(".", ","),
        "cap": euros(scheme.cap_cents),
        "min_spend": euros(scheme.min_spend_cents),
        "min_voucher": euros(scheme.voucher_amount_cents(scheme.min_spend_cents)),
        "conditions": conditions,
        "closes_on": timezone.localtime(scheme.window_closes_at).date(),
        # The prerequisites the scheme sets before an application (None: not required).
        "diagnostic_months": _months_required(scheme, "diagnostic_completed"),
        "support_months": _months_required(scheme, "support_action"),
    }


def _months_required(scheme, kind):
    for rule in scheme.rule_list:
        if rule.kind == kind:
            return parameters(kind, rule.params)["months"]
    return None


@login_not_required
@require_safe
def home(request):
    scheme = open_scheme()
    return render(
        request,
        "front/home.html",
        {
            "scheme": scheme,
            "terms": scheme_terms(scheme),
            "form": CompanyLookupForm(),
            # A visitor is asked to log in first; among the roles, owners and advisors run diagnostics.
            "offer_diagnostic": not request.user.is_authenticated or may_start(request.user),
        },
    )


@login_not_required
@require_safe
def check(request):
    """Anonymous eligibility check: what the registry already tells about a company."""
    form = CompanyLookupForm(request.GET or None)
    scheme = open_scheme()
    context = {"form": form, "scheme": scheme}
    wait = ratelimits.exceeded(request, "check_ip") if form.is_bound else 0
    if wait:
        form.is_valid()
        ratelimits.too_many(form, wait)
        return render(request, "front/check.html", context, status=429)
    if not form.is_bound or not form.is_valid():
        return render(request, "front/check.html", context)

    company = form.company
    remember(request, company)
    commune = (
        Commune.objects.filter(code=company.head_office_commune_code).values_list("name", flat=True).first()
    )
    rows = []
    if scheme is not None:
        facts = Facts(company=company, on=timezone.localdate())
        for rule, result in zip(scheme.rule_list, evaluate(scheme.rule_list, facts), strict=True):
            if answered_by_registry(rule):
                rows.append(
                    {
                        "kind": rule.kind,
                        "label": result.label,
                        "passed": result.passed,
                        "message": result.message,
                    }
                )
            else:
                text = condition(rule, scheme.rule_list)
                rows.append(
                    {"kind": rule.kind, "label": result.label, "passed": None, "message": text, "later": True}
                )
    registry_rows = [row for row in rows if not row.get("later")]
    context.update(
        form=CompanyLookupForm(),
        company=company,
        location=", ".join(str(part) for part in (commune, company.departement) if part),
        rows=rows,
        any_failed=any(row["passed"] is False for row in registry_rows),
        any_unknown=any(row["passed"] is None for row in registry_rows),
    )
    return render(request, "front/check_result.html", context)


def dashboard(request):
    """Send each person to where their work is; a plain page when that part is not there yet."""
    target = ROLE_HOME.get(request.user.role)
    if target:
        try:
            return redirect(reverse(target))
        except NoReverseMatch:
            pass
    return render(request, "front/dashboard.html")


@login_not_required
@require_safe
def accessibility(request):
    return render(request, "front/accessibility.html")


@login_not_required
@require_safe
def legal(request):
    return render(request, "front/legal.html")


# Django's own view is not marked public; visitors must be able to switch language.
set_language = login_not_required(django_set_language)
