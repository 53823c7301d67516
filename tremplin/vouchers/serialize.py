"""Voucher files → JSON-ready dicts for the API. Kept explicit so what leaves the platform is visible."""

from tremplin.authority import payee
from tremplin.authority.serialize import representation
from tremplin.authority.services import representation_of
from tremplin.registry.api import company_name, company_out
from tremplin.schemes.eligibility import all_passed
from tremplin.vouchers import services
from tremplin.vouchers.models import Claim
from tremplin.vouchers.payment_date import expected_payment_on, paid_on
from tremplin.vouchers.timeline import timeline


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
        "invoice_reading": claim.invoice_reading,
        "submitted_at": claim.submitted_at,
        "approved_at": claim.approved_at,
        "expected_payment_on": expected_payment_on(claim),
        "paid_on": paid_on(claim),
    }


def _timeline(a, user):
    """The file's timeline as its reader may read it (`vouchers.timeline`), with each event's sentence."""
    return [
        {
            "at": entry.at,
            "action": entry.event.action,
            "label": entry.label,
            "from_state": entry.event.from_state,
            "to_state": entry.event.to_state,
            "reason": entry.reason,
            "actor_role": entry.actor.role if entry.actor else None,
            "actor_name": (entry.actor.get_full_name() or None) if entry.actor else None,
        }
        for entry in timeline(a, user)
    ]


def _authority(a):
    # The submission has just read (and checked) it: `services.submit` leaves it on the file.
    rep = getattr(a, "applicant_representation", None) or representation_of(a.owner, a.company)
    if rep is None:
        return None
    rep.company = a.company
    return representation(rep)


def _payee(a):
    return {
        "outcome": a.payee_outcome,
        "outcome_label": str(payee.Outcome(a.payee_outcome).label) if a.payee_outcome else "",
        "bank_holder_name": a.payee_holder_name,
        "verified": a.payee_verified,
        "foreign": payee.is_foreign(a.iban),
        "changed_after_approval": a.payee_changed_after_approval,
        "has_bank_document": bool(a.bank_document),
        "checked_at": a.payee_checked_at,
        "confirmed_at": a.payee_confirmed_at,
    }


def detail(a, user):
    provider = a.provider
    return {
        **summary(a),
        "company": company_out(a.company),
        "establishment_siret": a.establishment.siret if a.establishment_id else None,
        "declared_headcount": a.declared_headcount,
        "declared_turnover_cents": a.declared_turnover_cents,
        "declared_de_minimis_cents": a.declared_de_minimis_cents,
        "has_linked_companies": a.has_linked_companies,
        "linked_companies": []
        if user.is_provider
        else [
            {
                "siren": r.siren,
                "name": r.name,
                "de_minimis_cents": r.de_minimis_cents,
                "in_registry": bool(r.company_id),
            }
            # Only ever recorded with has_linked_companies true (services.declare_linked_companies).
            for r in (a.linked_companies.all() if a.has_linked_companies else ())
        ],
        "de_minimis_check": {} if user.is_provider else (a.de_minimis_check or {}),
        # A provider works for the business; its bank details are none of its business.
        "iban": None if user.is_provider else a.iban,
        "account_holder": a.account_holder,
        "provider": {"id": provider.pk, "name": provider.name, "siret": provider.siret} if provider else None,
        "spend_category": a.spend_category,
        "project_description": a.project_description,
        "has_quote": bool(a.quote),
        # Nor who applies nor how the account was checked.
        "authority": None if user.is_provider else _authority(a),
        "payee": None if user.is_provider else _payee(a),
        "queue_rank": a.queue_rank,
        "waitlist_position": a.waitlist_position(),
        "checked_at": a.checked_at,
        "eligibility": a.eligibility or [],
        "rules_version": a.rules_version,
        "decided_at": a.decided_at,
        "claim": _claim(a),
        "allowed_actions": services.allowed_actions(user, a),
        "timeline": _timeline(a, user),
    }


def eligibility(results, on, de_minimis=None):
    return {
        "eligible": all_passed(results),
        "evaluated_on": on,
        "rules": [r.as_dict() for r in results],
        "de_minimis": de_minimis.as_dict() if de_minimis else None,
    }
