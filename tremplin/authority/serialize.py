"""Declarations and mandates → JSON-ready dicts for the API (and the voucher file's detail)."""

from django.utils import timezone

from tremplin.registry.api import company_name


def _mandate_ref(mandate, today):
    return {
        "id": mandate.pk,
        "kind": mandate.kind,
        "grantor_name": mandate.grantor.get_full_name(),
        "valid_until": mandate.valid_until,
        "active": mandate.is_active(today),
    }


def representation(rep):
    """A declaration as its person (or the advisor of a file) reads it."""
    return {
        "id": rep.pk,
        "siren": rep.company.siren,
        "company_name": company_name(rep.company),
        "capacity": rep.capacity,
        "given_names": rep.given_names,
        "family_name": rep.family_name,
        "birth_date": rep.birth_date,
        "status": rep.status,
        "basis": rep.basis,
        "outcome": str(rep.outcome),
        "matched_role": rep.matched_role,
        "matched_source": rep.matched_source,
        "mandate": _mandate_ref(rep.mandate, timezone.localdate()) if rep.mandate_id else None,
        "has_documents": rep.has_documents,
        "extract_issued_on": rep.extract_issued_on,
        "checklist": list(rep.checklist),
        "decided_at": rep.decided_at,
        "created_at": rep.created_at,
        "updated_at": rep.updated_at,
    }


def mandate(m, today):
    return {
        **_mandate_ref(m, today),
        "siren": m.company.siren,
        "company_name": company_name(m.company),
        "holder_email": m.holder_email,
        "holder_name": m.holder_name,
        "kind_label": str(m.get_kind_display()),
        "created_at": m.created_at,
        "revoked_at": m.revoked_at,
    }
