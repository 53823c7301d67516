"""Pages that belong to no domain: home, quick eligibility check, dashboard, legal pages."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.i18n import set_language as django_set_language

from tremplin.accounts.models import Role
from tremplin.core.formatting import euros
from tremplin.registry.forms import CompanyLookupForm
from tremplin.registry.models import Commune
from tremplin.schemes.eligibility import BRACKET_LABELS, Facts, evaluate
from tremplin.schemes.models import EligibilityRule, Scheme, SpendCategory

Kind = EligibilityRule.Kind

# Rules the registry alone can answer; the others need the owner's declarations
# (or, for one open file per company, data we do not disclose to anonymous visitors).
REGISTRY_KINDS = {
    Kind.ACTIVE_IN_REGISTRY,
    Kind.MAX_HEADCOUNT_BRACKET,
    Kind.MIN_COMPANY_AGE,
    Kind.EXCLUDED_LEGAL_FORMS,
    Kind.EXCLUDED_NAF,
    Kind.TERRITORIES,
}

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


def condition_text(rule, rules):
    """One condition of the scheme, as a sentence an owner understands (None: not worth a line)."""
    params = rule.params or {}
    kind = rule.kind
    if kind == Kind.ACTIVE_IN_REGISTRY:
        return _("Être une entreprise active, inscrite au répertoire SIRENE.")
    if kind == Kind.MAX_DECLARED_HEADCOUNT:
        return _("Employer au plus %(max)s salariés.") % {"max": params.get("max", 10)}
    if kind == Kind.MAX_HEADCOUNT_BRACKET:
        if any(r.kind == Kind.MAX_DECLARED_HEADCOUNT for r in rules):
            return None
        return _("Être au plus dans la tranche « %(label)s » du répertoire SIRENE.") % {
            "label": BRACKET_LABELS.get(params.get("max", "11"), params.get("max", ""))
        }
    if kind == Kind.MAX_TURNOVER:
        return _("Avoir un chiffre d'affaires annuel inférieur à %(amount)s.") % {
            "amount": euros(params.get("max_cents", 200_000_000))
        }
    if kind == Kind.MIN_COMPANY_AGE:
        return _("Avoir été créée il y a au moins %(months)s mois.") % {"months": params.get("months", 6)}
    if kind == Kind.EXCLUDED_LEGAL_FORMS:
        return _("Certaines formes juridiques sont exclues : %(label)s.") % {
            "label": params.get("label", _("personnes publiques et associations"))
        }
    if kind == Kind.EXCLUDED_NAF:
        return _("Certaines activités sont exclues du dispositif.")
    if kind == Kind.TERRITORIES:
        return _("Avoir son siège dans une région couverte par le dispositif.")
    if kind == Kind.DE_MINIMIS:
        return _("Ne pas dépasser %(amount)s d'aides publiques « de minimis » sur 3 ans, chèque compris.") % {
            "amount": euros(params.get("ceiling_cents", 30_000_000))
        }
    if kind == Kind.ONE_OPEN_VOUCHER:
        return _("Avoir une seule demande en cours à la fois.")
    return rule.get_kind_display()


def scheme_terms(scheme):
    if scheme is None:
        return None
    conditions = [text for rule in scheme.rule_list if (text := condition_text(rule, scheme.rule_list))]
    categories = dict(SpendCategory.choices)
    return {
        "spend_labels": [categories[value] for value in scheme.spend_categories if value in categories],
        "rate": f"{scheme.rate.normalize():f}".replace(".", ","),
        "cap": euros(scheme.cap_cents),
        "min_spend": euros(scheme.min_spend_cents),
        "min_voucher": euros(scheme.voucher_amount_cents(scheme.min_spend_cents)),
        "conditions": conditions,
        "closes_on": timezone.localtime(scheme.window_closes_at).date(),
    }


@login_not_required
@require_GET
def home(request):
    scheme = open_scheme()
    return render(
        request,
        "front/home.html",
        {"scheme": scheme, "terms": scheme_terms(scheme), "form": CompanyLookupForm()},
    )


@login_not_required
@require_GET
def check(request):
    """Anonymous eligibility check: what the registry already tells about a company."""
    form = CompanyLookupForm(request.GET or None)
    scheme = open_scheme()
    context = {"form": form, "scheme": scheme}
    if not form.is_bound or not form.is_valid():
        return render(request, "front/check.html", context)

    company = form.company
    commune = (
        Commune.objects.filter(code=company.head_office_commune_code).values_list("name", flat=True).first()
    )
    rows = []
    if scheme is not None:
        facts = Facts(company=company, on=timezone.localdate())
        for rule, result in zip(scheme.rule_list, evaluate(scheme.rule_list, facts), strict=True):
            if rule.kind in REGISTRY_KINDS:
                rows.append({"label": result.label, "passed": result.passed, "message": result.message})
            else:
                text = condition_text(rule, scheme.rule_list)
                rows.append({"label": result.label, "passed": None, "message": text, "later": True})
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
@require_GET
def accessibility(request):
    return render(request, "front/accessibility.html")


@login_not_required
@require_GET
def legal(request):
    return render(request, "front/legal.html")


# Django's own view is not marked public; visitors must be able to switch language.
set_language = login_not_required(django_set_language)
