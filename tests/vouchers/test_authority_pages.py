"""Who applies and who is paid, through the pages: nothing is reserved or paid before we know.

Each test walks the path people take (the new-file page, the draft, the "who applies" page, the file
page, the mandates page) with the test client, and checks the budget and the audit trail.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    ProviderFactory,
    UserFactory,
    pdf_file,
    register_account,
    register_representative,
    verified_by_registry,
)
from tremplin.authority import services as authority
from tremplin.authority.models import Mandate, Representation
from tremplin.authority.services import CHECKLIST
from tremplin.core.errors import PermissionDenied
from tremplin.core.models import AuditEvent
from tremplin.schemes.models import EligibilityRule, Envelope
from tremplin.vouchers import services
from tremplin.vouchers.models import Application, State

pytestmark = pytest.mark.django_db

ALL_CHECKS = [key for key, _label in CHECKLIST]


def committed(scheme):
    return Envelope.objects.get(scheme=scheme).committed_cents


def declare_and_start(client, scheme, company, given, family, born="1980-04-12", capacity="representative"):
    return client.post(
        reverse("vouchers:new"),
        {
            "identifier": company.siren,
            "scheme": scheme.pk,
            "confirm": "1",
            "who-capacity": capacity,
            "who-given_names": given,
            "who-family_name": family,
            "who-birth_date": born,
        },
    )


def fill_draft(client, app, provider, **extra):
    data = {
        "declared_headcount": "3",
        "declared_turnover": "120 000",
        "declared_de_minimis": "0",
        "has_linked_companies": "no",
        "spend_category": "website",
        "project_description": "Un site pour prendre les commandes",
        "provider": str(provider.pk),
        "planned_spend": "3 000",
        "quote": pdf_file(),
        "iban": extra.pop("iban", "FR7630006000011234567890189"),
        "account_holder": "Boulangerie",
        "bank_document": pdf_file("rib.pdf"),
        **extra,
    }
    return client.post(reverse("vouchers:edit", args=[app.pk]), data)


def submit(client, app):
    return client.post(reverse("vouchers:edit", args=[app.pk]), {"_action": "submit"})


def act(client, app, action, **data):
    return client.post(
        reverse("vouchers:act", args=[app.pk, action]), {f"{action}-{k}": v for k, v in data.items()}
    )


def state(app):
    app.refresh_from_db()
    return app.state


# --- an applicant the register does not know ---------------------------------------------------------


def test_an_impostor_is_held_before_any_reservation_until_an_advisor_confirms_the_documents(
    client_for, scheme, company, advisor, django_capture_on_commit_callbacks
):
    impostor = UserFactory(email="quelquun@example.fr", first_name="Alex", last_name="Dupuis")
    register_representative(company, "Camille", "Martin")  # the real director
    register_account("FR7630006000011234567890189", company.denomination)
    provider = ProviderFactory()
    client = client_for(impostor)
    response = declare_and_start(client, scheme, company, "Alex", "Dupuis")
    app = Application.objects.get()
    assert response["Location"] == reverse("vouchers:edit", args=[app.pk])
    rep = Representation.objects.get(user=impostor)
    assert (rep.status, rep.basis) == ("pending", "")

    page = client.get(reverse("vouchers:edit", args=[app.pk])).content.decode()
    assert "Nous n&#x27;avons pas trouvé votre nom parmi les représentants légaux" in page
    fill_draft(client, app, provider)

    # Submitting without documents is refused, and nothing moves.
    response = submit(client, app)
    assert "déposez un extrait du registre de moins de 3 mois" in response.content.decode()
    assert state(app) == State.DRAFT and committed(scheme) == 0

    # An extract older than 3 months is refused and nothing is stored.
    who = reverse("vouchers:who_applies", args=[app.pk])
    old = (timezone.localdate() - timedelta(days=120)).isoformat()
    response = client.post(
        who,
        {"_step": "documents", "docs-register_extract": pdf_file("kbis.pdf"), "docs-extract_issued_on": old},
    )
    assert response.status_code == 400 and "Cet extrait a plus de 3 mois" in response.content.decode()
    rep.refresh_from_db()
    assert not rep.register_extract

    # The statement to sign is a PDF filled with what was declared.
    statement = client.get(reverse("vouchers:statement", args=[app.pk]))
    assert statement.content.startswith(b"%PDF")

    recent = (timezone.localdate() - timedelta(days=10)).isoformat()
    response = client.post(
        who,
        {
            "_step": "documents",
            "docs-register_extract": pdf_file("kbis.pdf"),
            "docs-extract_issued_on": recent,
            "docs-statement": pdf_file("attestation.pdf"),
        },
    )
    assert response.status_code == 302
    response = submit(client, app)
    assert response["Location"] == reverse("vouchers:detail", args=[app.pk])
    app.refresh_from_db()
    # Held with its receipt number, nothing reserved.
    assert (app.state, app.reserved_cents, app.queue_rank) == (State.AUTHORITY_CHECK, 0, 1)
    assert committed(scheme) == 0
    assert (
        "Un conseiller vérifie vos pièces"
        in client.get(reverse("vouchers:detail", args=[app.pk])).content.decode()
    )

    # The advisor reads who applies and the documents, then confirms with the whole checklist.
    reviewer = client_for(advisor)
    page = reviewer.get(reverse("vouchers:detail", args=[app.pk])).content.decode()
    assert "Alex Dupuis" in page and "En attente de vérification" in page
    assert reverse("vouchers:document", args=[app.pk, "extrait"]) in page
    extract = reviewer.get(reverse("vouchers:document", args=[app.pk, "extrait"]))
    assert b"".join(extract.streaming_content).startswith(b"%PDF")

    response = act(reviewer, app, "confirm_authority", checklist=ALL_CHECKS[:2])
    assert "Vérifiez chaque point avant de confirmer" in response.content.decode()
    assert state(app) == State.AUTHORITY_CHECK and committed(scheme) == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer.post(
            reverse("vouchers:act", args=[app.pk, "confirm_authority"]),
            {"confirm_authority-checklist": ALL_CHECKS},
        )
    assert response.status_code == 302
    app.refresh_from_db()
    assert (app.state, app.reserved_cents) == (State.SUBMITTED, app.amount_cents)
    assert committed(scheme) == app.amount_cents
    rep.refresh_from_db()
    assert (rep.status, rep.basis, rep.decided_by) == ("verified", "advisor", advisor)
    event = AuditEvent.objects.for_object(app).get(action="confirm_authority")
    assert event.actor == advisor and event.data["checklist"] == sorted(ALL_CHECKS)
    assert [m.subject for m in mail.outbox] == [
        f"Votre demande {app.reference} : votre qualité pour agir est confirmée"
    ]


def test_an_advisor_refuses_documents_that_do_not_show_the_right_to_act(client_for, scheme, company, advisor):
    impostor = UserFactory(email="autre@example.fr", first_name="Alex", last_name="Dupuis")
    app = ApplicationFactory(scheme=scheme, owner=impostor, company=company, standing=False)
    register_account(app.iban, company.denomination)
    rep = authority.declare(
        impostor, company, capacity="representative", given_names="Alex", family_name="Dupuis",
        birth_date=timezone.localdate().replace(year=1985),
    )  # fmt: skip
    authority.add_documents(
        impostor, rep, register_extract=pdf_file("kbis.pdf"), extract_issued_on=timezone.localdate(),
        statement=pdf_file("attestation.pdf"),
    )  # fmt: skip
    services.submit(impostor, app)
    reviewer = client_for(advisor)
    response = act(reviewer, app, "refuse_authority", note="L'extrait ne mentionne pas M. Dupuis.")
    assert response.status_code == 302
    assert state(app) == State.REJECTED and committed(scheme) == 0
    rep.refresh_from_db()
    assert rep.status == "refused"
    # Refused once, the same person cannot try again for this company.
    again = ApplicationFactory(scheme=scheme, owner=impostor, company=company, standing=False)
    with pytest.raises(PermissionDenied) as refused:
        services.submit(impostor, again)
    assert refused.value.code == "authority_refused"


# --- mandates ----------------------------------------------------------------------------------------


def test_a_mandate_lets_its_holder_apply_and_its_revocation_stops_them(
    client_for, scheme, company, owner, django_capture_on_commit_callbacks
):
    verified_by_registry(owner, company)
    accountant = UserFactory(email="compta@cabinet-expert.fr", first_name="Sam", last_name="Lefort")
    director = client_for(owner)

    page = director.get(reverse("authority:mandates")).content.decode()
    assert company.display_name in page and "Donner un mandat" in page
    prefix = f"c{company.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        response = director.post(
            reverse("authority:give", args=[company.pk]),
            {
                f"{prefix}-holder_name": "Sam Lefort",
                f"{prefix}-holder_email": "compta@cabinet-expert.fr",
                f"{prefix}-kind": "accountant",
                f"{prefix}-confirm": "on",
            },
        )
    assert response.status_code == 302
    mandate = Mandate.objects.get()
    assert (mandate.company, mandate.grantor, mandate.revoked_at) == (company, owner, None)
    assert mail.outbox[-1].to == ["compta@cabinet-expert.fr"]

    holder = client_for(accountant)
    declare_and_start(holder, scheme, company, "Sam", "Lefort", capacity="mandate_holder")
    app = Application.objects.get(owner=accountant)
    rep = Representation.objects.get(user=accountant)
    assert (rep.status, rep.basis, rep.mandate) == ("verified", "mandate", mandate)
    page = holder.get(reverse("vouchers:edit", args=[app.pk])).content.decode()
    assert "Vous agissez avec le mandat" in page
    register_account("FR7630006000011234567890189", company.denomination)
    fill_draft(holder, app, ProviderFactory())
    submit(holder, app)
    app.refresh_from_db()
    assert app.state == State.SUBMITTED and app.reserved_cents == app.amount_cents

    # The director revokes: the holder can no longer act on the file nor submit another.
    response = director.post(reverse("authority:revoke", args=[mandate.pk]))
    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.status == "revoked"
    page = holder.get(reverse("vouchers:detail", args=[app.pk])).content.decode()
    assert "Retirer ma demande" not in page
    response = holder.post(
        reverse("vouchers:act", args=[app.pk, "withdraw"]), {"withdraw-confirm": "on", "withdraw-reason": "x"}
    )
    assert response.status_code == 403
    assert state(app) == State.SUBMITTED
    with pytest.raises(PermissionDenied) as refused:
        services.withdraw(accountant, app)
    assert refused.value.code == "mandate_revoked"


def test_a_provider_can_neither_hold_a_mandate_nor_apply_for_its_client(
    client_for, scheme, company, owner, provider_member
):
    verified_by_registry(owner, company)
    prefix = f"c{company.pk}"
    response = client_for(owner).post(
        reverse("authority:give", args=[company.pk]),
        {
            f"{prefix}-holder_name": "Léa Moreau",
            f"{prefix}-holder_email": provider_member.email,
            f"{prefix}-kind": "other",
            f"{prefix}-confirm": "on",
        },
    )
    assert response.status_code == 400
    assert (
        "Un prestataire ne peut pas demander un chèque pour une entreprise cliente"
        in response.content.decode()
    )
    assert not Mandate.objects.exists()

    # The provider's own account cannot start a file.
    assert client_for(provider_member).get(reverse("vouchers:new")).status_code == 403

    # Someone writing from the provider's domain, choosing that provider, is refused at submission.
    provider = provider_member.provider
    provider.email = "contact@agence-lumiere.example.fr"
    provider.save()
    insider = UserFactory(email="commercial@agence-lumiere.example.fr", first_name="Paul", last_name="Roy")
    app = ApplicationFactory(scheme=scheme, owner=insider, company=CompanyFactory(), provider=provider)
    client = client_for(insider)
    response = submit(client, app)
    assert "Un prestataire ne peut pas demander un chèque" in response.content.decode()
    assert state(app) == State.DRAFT and committed(scheme) == 0


# --- contest -----------------------------------------------------------------------------------------


def test_the_real_representative_contests_a_file_and_applies_themselves(
    client_for, scheme, company, advisor, other_owner, django_capture_on_commit_callbacks
):
    # Someone else's file, reserved (an advisor was fooled by forged documents).
    impostor_file = ApplicationFactory(scheme=scheme, owner=other_owner, company=company)
    services.submit(other_owner, impostor_file)
    impostor_file.refresh_from_db()
    reserved = impostor_file.reserved_cents
    assert reserved and committed(scheme) == reserved

    director = UserFactory(email="vraie.gerante@example.fr", first_name="Claire", last_name="Vasseur")
    register_representative(company, "Claire Anne", "Vasseur", "1975-09", "Gérante")
    client = client_for(director)
    response = declare_and_start(client, scheme, company, "Claire", "Vasseur", born="1975-09-03")
    body = response.content.decode()
    assert "Une demande est déjà en cours pour cette entreprise" in body
    assert "Contester cette demande" in body

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("vouchers:contest"),
            {
                "identifier": company.siren,
                "scheme": scheme.pk,
                "contest-reason": "Je suis la gérante, je n'ai rien demandé.",
            },
        )
    assert response.status_code == 302
    impostor_file.refresh_from_db()
    assert impostor_file.state == State.CONTESTED and impostor_file.held_from == State.SUBMITTED
    # Frozen: still reserved, still committed.
    assert impostor_file.reserved_cents == reserved and committed(scheme) == reserved
    assert any("est suspendue" in m.subject for m in mail.outbox)

    # The representative now applies herself.
    declare_and_start(client, scheme, company, "Claire", "Vasseur", born="1975-09-03")
    own = Application.objects.get(owner=director)
    register_account("FR7630006000011234567890189", company.denomination)
    fill_draft(client, own, impostor_file.provider)
    submit(client, own)
    own.refresh_from_db()
    assert own.state == State.SUBMITTED and own.reserved_cents

    # The advisor cannot resume the contested file while hers is open, and upholds the contest.
    reviewer = client_for(advisor)
    page = reviewer.get(reverse("vouchers:detail", args=[impostor_file.pk])).content.decode()
    assert "Contestée le" in page
    response = act(reviewer, impostor_file, "dismiss_contest", note="")
    assert response.status_code == 409
    assert "Une autre demande a été ouverte depuis" in response.content.decode()
    response = act(
        reviewer, impostor_file, "uphold_contest", note="La gérante n'a pas autorisé cette demande."
    )
    assert response.status_code == 302
    impostor_file.refresh_from_db()
    assert (impostor_file.state, impostor_file.reserved_cents) == (State.REJECTED, 0)
    assert committed(scheme) == own.reserved_cents


def test_only_a_verified_representative_can_contest(client_for, scheme, company, other_owner):
    held = ApplicationFactory(scheme=scheme, owner=other_owner, company=company)
    services.submit(other_owner, held)
    stranger = UserFactory(email="curieux@example.fr", first_name="Jo", last_name="Curieux")
    client = client_for(stranger)
    declare_and_start(client, scheme, company, "Jo", "Curieux")
    response = client.post(
        reverse("vouchers:contest"),
        {"identifier": company.siren, "scheme": scheme.pk, "contest-reason": "Non."},
    )
    assert response.status_code == 403
    assert state(held) == State.SUBMITTED


# --- whose account is paid ---------------------------------------------------------------------------


def test_an_account_not_in_the_company_name_needs_the_advisor_before_approval(
    client_for, scheme, owner, company, advisor
):
    app = ApplicationFactory(scheme=scheme, owner=owner, company=company, standing=False)
    verified_by_registry(owner, company)
    register_account("FR7630006000011234567890189", "M. Jean Dupont")
    client = client_for(owner)
    fill_draft(client, app, app.provider, iban="FR76 3000 6000 0112 3456 7890 189")
    app.refresh_from_db()
    assert app.payee_outcome == "no_match" and not app.payee_verified
    page = client.get(reverse("vouchers:edit", args=[app.pk])).content.decode()
    assert "ce compte n'est pas au nom de" in page

    submit(client, app)
    reviewer = client_for(advisor)
    act(reviewer, app, "start_review")
    response = act(reviewer, app, "approve", note="")
    assert response.status_code == 409
    assert "Le compte bancaire n&#x27;est pas vérifié" in response.content.decode()
    assert state(app) == State.UNDER_REVIEW

    page = reviewer.get(reverse("vouchers:detail", args=[app.pk])).content.decode()
    assert "NO MATCH" in page and "Confirmer le compte bancaire" in page
    url = reverse("vouchers:payee_action", args=[app.pk, "confirm_payee"])
    response = reviewer.post(url, {"confirm_payee-checklist": ["rib_holder"]})
    assert "Vérifiez chaque point" in response.content.decode()
    app.refresh_from_db()
    assert app.payee_confirmed_at is None
    reviewer.post(url, {"confirm_payee-checklist": ["rib_holder", "rib_iban"]})
    app.refresh_from_db()
    assert app.payee_confirmed_by == advisor
    act(reviewer, app, "approve", note="")
    assert state(app) == State.APPROVED

    # The owner changes the account after approval: the advisor must confirm it again.
    register_account("FR7630004000031234567890143", company.denomination)
    response = client.post(
        reverse("vouchers:payee_action", args=[app.pk, "change_bank_account"]),
        {
            "change_bank_account-iban": "FR7630004000031234567890143",
            "change_bank_account-bank_document": pdf_file("rib2.pdf"),
        },
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.payee_outcome == "match" and app.payee_changed_after_approval and not app.payee_verified
    assert AuditEvent.objects.for_object(app).filter(action="change_bank_account").exists()


# --- one voucher per company -------------------------------------------------------------------------


def test_a_second_voucher_beyond_the_scheme_limit_is_refused_with_its_explanation(
    client_for, scheme, owner, company
):
    EligibilityRule.objects.create(
        scheme=scheme, kind="max_vouchers_per_company", params={"max": 1}, position=99
    )
    paid = ApplicationFactory(scheme=scheme, owner=owner, company=company, state=State.PAID)
    client = client_for(owner)
    response = declare_and_start(client, scheme, company, owner.first_name, owner.last_name)
    body = response.content.decode()
    assert response.status_code == 200
    assert f"Votre entreprise a déjà reçu 1 chèque(s) de ce dispositif ({paid.reference})" in body
    assert Application.objects.filter(company=company).count() == 1
