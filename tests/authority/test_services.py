"""The rules of who may act for a company, at service level (the pages' tests walk the same paths)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import (
    BIRTH_DATE,
    CompanyFactory,
    UserFactory,
    pdf_file,
    register_representative,
    verified_by_registry,
)
from tremplin.authority import services
from tremplin.authority.models import Mandate, Representation
from tremplin.core.errors import Conflict, PermissionDenied, ServiceError
from tremplin.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def declare(user, company, capacity="representative", **identity):
    data = {
        "given_names": user.first_name,
        "family_name": user.last_name,
        "birth_date": BIRTH_DATE,
        **identity,
    }
    return services.declare(user, company, capacity=capacity, **data)


def test_a_declaration_is_audited_and_says_how_the_right_was_established(owner, company):
    register_representative(company, "Camille", "Martin", "1980-04", "Gérante")
    rep = declare(owner, company)
    assert (rep.status, rep.basis, rep.matched_role, rep.matched_source) == (
        "verified",
        "registry",
        "Gérante",
        "RNE",
    )
    event = AuditEvent.objects.for_object(rep).get()
    assert (event.action, event.to_state, event.actor) == ("declare", "verified", owner)


def test_a_director_no_longer_in_the_register_loses_the_registry_match_at_the_next_check(
    owner, company, settings, tmp_path
):
    verified_by_registry(owner, company)
    (tmp_path / "rne.csv").write_text("siren,nom,prenoms,qualite,date_naissance\n", encoding="utf-8")
    rep = services.standing(owner, company)
    assert (rep.status, rep.basis) == ("pending", "")
    assert AuditEvent.objects.for_object(rep).filter(action="recheck", to_state="pending").exists()


@pytest.mark.parametrize(
    "identity, code",
    [
        ({"given_names": " "}, "missing"),
        ({"family_name": ""}, "missing"),
        ({"birth_date": None}, "missing"),
        ({"birth_date": timezone.localdate() - timedelta(days=365)}, "invalid_birth_date"),
    ],
)
def test_an_incomplete_or_implausible_identity_is_refused_and_nothing_is_stored(
    owner, company, identity, code
):
    with pytest.raises(ServiceError) as refused:
        declare(owner, company, **identity)
    assert refused.value.code == code
    assert not Representation.objects.exists()


def test_only_owner_accounts_declare_and_a_provider_is_told_why(company, provider_member, advisor):
    with pytest.raises(PermissionDenied) as refused:
        declare(provider_member, company)
    assert refused.value.code == "provider_for_client"
    with pytest.raises(PermissionDenied):
        declare(advisor, company)


def test_a_mandate_is_given_only_by_a_verified_representative(owner, other_owner, company):
    with pytest.raises(PermissionDenied) as refused:
        services.give_mandate(owner, company, holder_email="x@cabinet.fr", holder_name="X", kind="accountant")
    assert refused.value.code == "not_a_representative"
    # A mandate holder cannot pass the mandate on.
    verified_by_registry(owner, company)
    services.give_mandate(
        owner, company, holder_email=other_owner.email, holder_name="D. Bernard", kind="family"
    )
    declare(other_owner, company, capacity="mandate_holder")
    with pytest.raises(PermissionDenied):
        services.give_mandate(
            other_owner, company, holder_email="y@cabinet.fr", holder_name="Y", kind="other"
        )


def test_a_mandate_to_staff_to_oneself_twice_or_ending_in_the_past_is_refused(owner, company, advisor):
    verified_by_registry(owner, company)
    cases = [
        ({"holder_email": advisor.email}, "staff_account"),
        ({"holder_email": owner.email}, "self_mandate"),
        ({"valid_until": timezone.localdate() - timedelta(days=1)}, "invalid_date"),
        ({"kind": "boss"}, "invalid_kind"),
        ({"holder_email": "compta-at-cabinet"}, "invalid_email"),
    ]
    for extra, code in cases:
        data = {"holder_email": "compta@cabinet.fr", "holder_name": "Sam", "kind": "accountant", **extra}
        with pytest.raises(ServiceError) as refused:
            services.give_mandate(owner, company, **data)
        assert refused.value.code == code
    services.give_mandate(
        owner, company, holder_email="compta@cabinet.fr", holder_name="Sam", kind="accountant"
    )
    with pytest.raises(Conflict) as refused:
        services.give_mandate(
            owner, company, holder_email="COMPTA@cabinet.fr", holder_name="Sam", kind="accountant"
        )
    assert refused.value.code == "already_mandated"
    assert Mandate.objects.count() == 1


def test_an_expired_mandate_no_longer_lets_its_holder_act(owner, other_owner, company):
    verified_by_registry(owner, company)
    mandate = services.give_mandate(
        owner, company, holder_email=other_owner.email, holder_name="D. Bernard", kind="family",
        valid_until=timezone.localdate(),
    )  # fmt: skip
    declare(other_owner, company, capacity="mandate_holder")
    assert services.may_act(other_owner, company)
    Mandate.objects.filter(pk=mandate.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    assert not services.may_act(other_owner, company)
    assert services.standing(other_owner, company).status == "pending"


def test_a_mandate_given_after_the_declaration_verifies_the_holder(owner, other_owner, company):
    rep = declare(other_owner, company, capacity="mandate_holder")
    assert rep.status == "pending"
    verified_by_registry(owner, company)
    services.give_mandate(
        owner, company, holder_email=other_owner.email, holder_name="D. Bernard", kind="family"
    )
    rep.refresh_from_db()
    assert (rep.status, rep.basis) == ("verified", "mandate")


def test_documents_are_checked_and_an_advisor_confirms_only_with_the_whole_checklist(owner, company, advisor):
    rep = declare(owner, company)
    assert rep.status == "pending"
    with pytest.raises(ServiceError) as refused:
        services.add_documents(owner, rep, register_extract=pdf_file("k.pdf"))
    assert refused.value.code == "missing"  # the extract's date
    with pytest.raises(ServiceError) as refused:
        services.add_documents(owner, rep, extract_issued_on=timezone.localdate() + timedelta(days=1))
    assert refused.value.code == "invalid_date"
    services.add_documents(
        owner,
        rep,
        register_extract=pdf_file("k.pdf"),
        extract_issued_on=timezone.localdate(),
        statement=pdf_file("s.pdf"),
    )
    with pytest.raises(ServiceError) as refused:
        services.confirm(advisor, rep, {"extract_recent"})
    assert refused.value.code == "checklist_incomplete"
    rep = services.confirm(advisor, rep, {key for key, _ in services.CHECKLIST})
    assert (rep.status, rep.basis, rep.decided_by) == ("verified", "advisor", advisor)
    # The advisor's decision stands at the next check, the register having nothing to say.
    assert services.standing(owner, company).status == "verified"
    # Another user cannot add documents to this representation.
    with pytest.raises(PermissionDenied):
        services.add_documents(UserFactory(), rep, statement=pdf_file("s.pdf"))


def test_the_companies_a_person_represents_are_those_verified_as_representative(owner, company):
    other = CompanyFactory()
    verified_by_registry(owner, company)
    declare(owner, other)  # pending: not listed
    assert [r.company for r in services.companies_represented(owner)] == [company]
