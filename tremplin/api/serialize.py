"""Model → JSON-ready dicts. Kept explicit so what leaves the platform is visible in one place."""

from tremplin.core.models import AuditEvent
from tremplin.registry.models import Diffusion
from tremplin.schemes.eligibility import all_passed
from tremplin.schemes.models import SpendCategory
from tremplin.vouchers import services
from tremplin.vouchers.models import Claim

HIDDEN = "[ND]"
HIDDEN_NAME = "Entreprise individuelle (nom non diffusible)"
CATEGORY_LABELS = dict(SpendCategory.choices)


def _shown(value):
    return "" if value == HIDDEN else (value or "")


def company_name(c):
    name = _shown(c.denomination)
    if not name and c.diffusion != Diffusion.PARTIAL:
        name = " ".join(p for p in (_shown(c.first_name), _shown(c.last_name)) if p)
    return name or HIDDEN_NAME


def company(c):
    """Public registry data. Under partial diffusion (P) names, acronym and address are never shown."""
    partial = c.diffusion == Diffusion.PARTIAL
    dep = c.departement
    nic = _shown(c.head_office_nic)
    return {
        "siren": c.siren,
        "name": company_name(c),
        "diffusion": c.diffusion,
        "state": c.state,
        "active": c.is_active,
        "created_on": c.created_on,
        "acronym": None if partial else (_shown(c.acronym) or None),
        "legal_form": _shown(c.legal_form),
        "naf_code": _shown(c.naf_code),
        "naf2025_code": _shown(c.naf2025_code),
        "headcount_bracket": _shown(c.headcount_bracket),
        "headcount_year": c.headcount_year,
        "category": _shown(c.category),
        "head_office_siret": c.siren + nic if nic else None,
        "head_office_postal_code": None if partial else (_shown(c.head_office_postal_code) or None),
        "head_office_commune_code": _shown(c.head_office_commune_code),
        "departement": {"code": dep.code, "name": dep.name} if dep else None,
        "region": {"code": dep.region.code, "name": dep.region.name} if dep else None,
    }


def scheme(s):
    drawn = s.lottery_drawn_at is not None
    return {
        "id": s.pk,
        "name": s.name,
        "slug": s.slug,
        "description": s.description,
        "rate_percent": str(s.rate),
        "cap_cents": s.cap_cents,
        "min_spend_cents": s.min_spend_cents,
        "spend_categories": [
            {"code": code, "label": str(CATEGORY_LABELS.get(code, code))} for code in s.spend_categories
        ],
        "window_opens_at": s.window_opens_at,
        "window_closes_at": s.window_closes_at,
        "is_open": s.is_open(),
        "validity_days": s.validity_days,
        "review_sla_days": s.review_sla_days,
        "allocation": {"code": s.allocation, "label": str(s.get_allocation_display())},
        "payee": {"code": s.payee, "label": str(s.get_payee_display())},
        "rules_version": s.rules_version,
        # The seed is published with the draw, not before: nobody can compute the order in advance.
        "lottery_seed": s.lottery_seed if drawn else None,
        "lottery_drawn_at": s.lottery_drawn_at,
    }


def summary(a):
    return {
        "id": a.pk,
        "reference": a.reference,
        "state": a.state,
        "state_label": str(a.get_state_display()),
        "scheme_id": a.scheme_id,
        "scheme_name": a.scheme.name,
        "company_siren": a.company.siren,
        "company_name": company_name(a.company),
        "planned_spend_cents": a.planned_spend_cents,
        "amount_cents": a.amount_cents,
        "reserved_cents": a.reserved_cents,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
        "submitted_at": a.submitted_at,
        "valid_until": a.valid_until,
    }


def _claim(a):
    try:
        claim = a.claim
    except Claim.DoesNotExist:
        return None
    return {
        "invoiced_spend_cents": claim.invoiced_spend_cents,
        "payable_cents": claim.payable_cents,
        "invoice_number": claim.invoice_number,
        "invoice_date": claim.invoice_date,
        "flags": [str(f) for f in claim.flags],
        "submitted_at": claim.submitted_at,
    }


def _timeline(a):
    events = AuditEvent.objects.for_object(a).select_related("actor")
    return [
        {
            "at": e.at,
            "action": e.action,
            "from_state": e.from_state,
            "to_state": e.to_state,
            "reason": e.reason,
            "actor_role": e.actor.role if e.actor else None,
            "actor_name": (e.actor.get_full_name() or None) if e.actor else None,
        }
        for e in events
    ]


def detail(a, user):
    provider = a.provider
    return {
        **summary(a),
        "company": company(a.company),
        "establishment_siret": a.establishment.siret if a.establishment_id else None,
        "declared_headcount": a.declared_headcount,
        "declared_turnover_cents": a.declared_turnover_cents,
        "declared_de_minimis_cents": a.declared_de_minimis_cents,
        # A provider works for the business; its bank details are none of its business.
        "iban": None if user.is_provider else a.iban,
        "account_holder": a.account_holder,
        "provider": {"id": provider.pk, "name": provider.name, "siret": provider.siret} if provider else None,
        "spend_category": a.spend_category,
        "project_description": a.project_description,
        "has_quote": bool(a.quote),
        "queue_rank": a.queue_rank,
        "waitlist_position": a.waitlist_position(),
        "eligibility": a.eligibility or [],
        "rules_version": a.rules_version,
        "decided_at": a.decided_at,
        "claim": _claim(a),
        "allowed_actions": services.allowed_actions(user, a),
        "timeline": _timeline(a),
    }


def eligibility(results, on):
    return {
        "eligible": all_passed(results),
        "evaluated_on": on,
        "rules": [r.as_dict() for r in results],
    }
