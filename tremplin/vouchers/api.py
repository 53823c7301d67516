"""Voucher files in the API: drafts, then one POST per transition; and the lottery of a scheme.

Mounted at /api/v1/applications and /api/v1/schemes. Each operation calls its service function and nothing
else.
"""

from typing import Annotated

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from ninja import Body, File, Form, Path, Query, Router, UploadedFile
from ninja.errors import ValidationError
from ninja.responses import Status

from tremplin.accounts.models import Role
from tremplin.api.errors import refusals, responses
from tremplin.api.schemas import MAX_ID, FormCents, Iban, api_enum
from tremplin.api.uploads import pdf_parts, safe_name
from tremplin.core.errors import NotFound, PermissionDenied, ServiceError, as_conflict
from tremplin.core.language import in_programme_language
from tremplin.core.validators import clean_siren_or_siret
from tremplin.registry import lookup
from tremplin.schemes.api import SchemeId, scheme_or_404
from tremplin.schemes.models import Scheme
from tremplin.vouchers import serialize, services
from tremplin.vouchers.access import applications_for, get_application_for_user
from tremplin.vouchers.api_schemas import (
    ApplicationCreate,
    ApplicationDetail,
    ApplicationPage,
    ApplicationUpdate,
    AuthorityChecklistIn,
    CheckOut,
    ContestIn,
    ContestOut,
    DrawIn,
    DrawOut,
    EligibilityOut,
    MessageIn,
    NoteIn,
    PayeeChecklistIn,
    ReasonIn,
    RejectIn,
    RequiredNoteIn,
    RequiredReasonIn,
)
from tremplin.vouchers.models import Application, State
from tremplin.vouchers.workflow import ADVISOR, MANAGER, OWNER, REPRESENTATIVE, WORKFLOW

router = Router(tags=["Dossiers"])
ApplicationState = api_enum("ApplicationState", State)
# The lottery is the vouchers' own (it ranks files), mounted under /schemes next to the scheme routes.
scheme_router = Router(tags=["Dispositifs"])
# Vouchers sit below providers: a provider is reached through the file's foreign key, not imported.
Provider = Application._meta.get_field("provider").related_model

ApplicationId = Annotated[int, Path(ge=1, le=MAX_ID)]
CLAIM_AMOUNT_REFUSALS = {"claim_above_voucher", "below_minimum_spend"}
MAX_PAGE_SIZE = 100


def _fetch(user, pk):
    return get_application_for_user(user, pk)


def _fetch_to_act(user, pk, action, select=()):
    """Like _fetch, but an advisor acting on another territory's file learns why it is refused.

    Only whether such a file exists is read (not its content), and only for advisors' own actions.
    `select`: relations read with the file (select_related).
    """
    try:
        return get_application_for_user(user, pk, select=select)
    except Http404:
        advisor_action = ADVISOR in WORKFLOW[action].who
        if (
            advisor_action
            and user.role == Role.ADVISOR
            and Application.objects.filter(pk=pk).exclude(state=State.DRAFT).exists()
        ):
            raise PermissionDenied(
                "other_territory",
                "Ce dossier relève d'un autre territoire : seuls ses conseillers peuvent agir.",
            ) from None
        raise


def _detail(user, pk):
    return serialize.detail(_fetch(user, pk), user)


ROLE_NAMES = {
    OWNER: "chef d'entreprise",
    ADVISOR: "conseiller",
    MANAGER: "gestionnaire",
    REPRESENTATIVE: "représentant légal de l'entreprise",
}


def _described(name, title=None):
    """The summary (title and who may take it) and the description (from which states, to which) of the
    declared transition `name`, read from the workflow's declaration."""
    t = WORKFLOW[name]
    who = ", ".join(ROLE_NAMES[role] for role in sorted(t.who) if role in ROLE_NAMES)
    with in_programme_language():
        sources = ", ".join(f"« {WORKFLOW.label(s)} »" for s in State if s in t.sources)
        targets = " ou ".join(f"« {WORKFLOW.label(s)} »" for s in State if s in t.targets)
        summary = f"{title or t.title} ({who})"
    return {
        "operation_id": name,
        "summary": summary,
        "description": f"Possible quand le dossier est {sources}. Le dossier passe à {targets}.",
    }


# --- lottery ------------------------------------------------------------------------------------


@scheme_router.post("/{scheme_id}/draw", response=responses(200, DrawOut), operation_id="draw_lottery")
def draw_lottery(request, scheme_id: SchemeId, payload: Body[DrawIn | None] = None):
    """Run the seeded lottery of a scheme after its window closed (programme manager)."""
    scheme = scheme_or_404(scheme_id)
    order = services.draw_lottery(request.auth, scheme, seed=payload.seed if payload else None)
    scheme.refresh_from_db(fields=["lottery_seed", "lottery_drawn_at"])
    return {
        "scheme_id": scheme.pk,
        "seed": scheme.lottery_seed,
        "drawn_at": scheme.lottery_drawn_at,
        "files": [
            {
                "id": a.pk,
                "reference": a.reference,
                "rank": a.queue_rank,
                "state": a.state,
                "funded": a.is_funded,
            }
            for a in order
        ],
    }


# --- reading ------------------------------------------------------------------------------------


@router.get("", response=responses(200, ApplicationPage), operation_id="list_applications")
def list_applications(
    request,
    state: Query[ApplicationState | None] = None,
    scheme_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
):
    """Files the caller may see, newest first."""
    qs = applications_for(request.auth)
    if state:
        qs = qs.filter(state=state)
    if scheme_id:
        qs = qs.filter(scheme_id=scheme_id)
    offset = (page - 1) * page_size
    items = list(qs.order_by("-created_at", "-id")[offset : offset + page_size])
    return {
        "count": qs.count(),
        "page": page,
        "page_size": page_size,
        "items": [serialize.summary(a) for a in items],
    }


# Before the routes of one file, whose path would take « contest » for a file's id.
@router.post(
    "/contest",
    response=responses(200, ContestOut),
    **_described("contest", title="Contester la demande ouverte par une autre personne"),
)
def contest(request, payload: ContestIn):
    """The company's legal representative (their right to act verified) contests the open file someone
    else opened for it: named by the company, since they cannot read it. Only its reference and state
    are answered."""
    company, _establishment = lookup.company_for(payload.siren, "siren")
    application = services.contest(request.auth, company, payload.reason)
    return {
        "reference": application.reference,
        "state": application.state,
        "state_label": str(application.get_state_display()),
    }


@router.get("/{application_id}", response=responses(200, ApplicationDetail), operation_id="get_application")
def get_application(request, application_id: ApplicationId):
    return _detail(request.auth, application_id)


@router.get(
    "/{application_id}/eligibility", response=responses(200, EligibilityOut), operation_id="get_eligibility"
)
def get_eligibility(request, application_id: ApplicationId):
    """Evaluate the scheme's current rules for this file now (nothing is stored)."""
    application = _fetch(request.auth, application_id)
    today = timezone.localdate()
    results, de_minimis = services.eligibility_and_de_minimis(application, today)
    return serialize.eligibility(results, today, de_minimis)


# --- drafts -------------------------------------------------------------------------------------


@router.post("", response=responses((200, 201), ApplicationDetail), operation_id="create_application")
def create_application(request, payload: ApplicationCreate):
    """Start a draft for a company of the registry (business owner); 200 with the draft this person already
    has for this company and scheme instead of a second one."""
    typed = payload.siret or payload.siren
    if not typed:
        raise ServiceError("missing", "Indiquez le numéro SIREN ou SIRET de l'entreprise.", "siren")
    field = "siret" if payload.siret else "siren"
    clean_siren_or_siret(typed, field)
    scheme = Scheme.objects.filter(pk=payload.scheme_id).first()
    if scheme is None:
        raise NotFound("unknown_scheme", "Ce dispositif n'existe pas.", "scheme_id")
    company, establishment = lookup.company_for(typed, field, establishment=True)
    application, created = services.create_draft(request.auth, scheme, company, establishment)
    return Status(201 if created else 200, _detail(request.auth, application.pk))


# The refusal over the de minimis ceiling, at submission and again at approval: `details` holds the check
# (vouchers.deminimis.Check.as_dict(), the shape of DeMinimisOut). The sums of this example are made up.
DE_MINIMIS_REFUSAL = (
    409,
    "avec ce chèque, les aides de minimis de l'entreprise unique dépasseraient le plafond sur 3 ans ; "
    "`details` donne le contrôle (les sommes, la période et le plafond, comme `DeMinimisOut`).",
    {
        "code": "de_minimis_ceiling",
        "message": "Votre demande ne remplit pas toutes les conditions : Avec ce chèque, les aides de minimis de "
        "votre entreprise unique atteindraient 300 500 € du 04/12/2023 au 03/12/2026, au-delà du plafond de "
        "300 000 € sur 3 ans : vos aides déclarées 299 000 €, celles des entreprises liées 0 €, les chèques du "
        "programme déjà accordés 0 € et ce chèque 1 500 €. Le chèque ne peut pas être accordé.",
        "field": None,
        "details": {
            "regulation": "Règlement (UE) 2023/2831",
            "checked_on": "2026-12-03",
            "period_start": "2023-12-04",
            "period_end": "2026-12-03",
            "ceiling_cents": 30_000_000,
            "declared_cents": 29_900_000,
            "has_linked_companies": False,
            "linked_companies": [],
            "linked_cents": 0,
            "granted": [],
            "granted_cents": 0,
            "this_voucher_cents": 150_000,
            "total_cents": 30_050_000,
            "passed": False,
        },
    },
)


@router.patch(
    "/{application_id}",
    response=responses(200, ApplicationDetail),
    operation_id="update_application",
    # What JSON Schema cannot say about `linked_companies` (uniqueItems compares whole items, not SIRENs).
    openapi_extra=refusals(
        (
            400,
            "la même entreprise (même SIREN) figure deux fois dans `linked_companies`.",
            {
                "code": "linked_duplicate",
                "message": "Cette entreprise liée est déjà déclarée.",
                "field": "linked_siren",
            },
        ),
        (
            400,
            "le SIREN de l'entreprise du dossier est donné parmi ses entreprises liées.",
            {
                "code": "linked_is_own_company",
                "message": "C'est le SIREN de votre propre entreprise : ses aides se déclarent plus haut, dans « "
                "Aides de minimis reçues ».",
                "field": "linked_siren",
            },
        ),
        (
            400,
            "`has_linked_companies` à false alors que des entreprises liées sont déclarées (dans cette requête "
            "ou avant).",
            {
                "code": "linked_companies_declared",
                "message": "Vous avez déclaré des entreprises liées : retirez-les d'abord si votre entreprise "
                "n'est liée à aucune autre.",
                "field": "has_linked_companies",
            },
        ),
    ),
)
def update_application(request, payload: ApplicationUpdate, application_id: ApplicationId):
    """Save draft fields. Only the fields sent change; amounts are integer cents. `linked_companies`
    replaces the list of the companies linked to this one (each SIREN checked, its key included)."""
    application = _fetch(request.auth, application_id)
    fields = payload.dict(exclude_unset=True)
    linked = fields.pop("linked_companies", None)
    if "provider_id" in fields:
        provider_id = fields.pop("provider_id")
        provider = None
        if provider_id is not None:
            provider = Provider.objects.filter(pk=provider_id).first()
            if provider is None:
                raise NotFound("unknown_provider", "Ce prestataire n'existe pas.", "provider_id")
        fields["provider"] = provider
    for name in ("iban", "account_holder", "spend_category", "project_description"):
        if name in fields and fields[name] is None:
            fields[name] = ""
    # A refused field leaves the linked companies as they were: the request changes all or nothing.
    with transaction.atomic():
        if linked is not None:
            services.declare_linked_companies(request.auth, application, linked)
        if fields or linked is None:
            services.update_draft(request.auth, application, **fields)
    return _detail(request.auth, application_id)


@router.post(
    "/{application_id}/quote",
    response=responses(200, ApplicationDetail),
    operation_id="upload_quote",
    # The quote, the RIB or both (422 when neither is sent).
    openapi_extra=pdf_parts(
        "quote", "bank_document", schema={"anyOf": [{"required": ["quote"]}, {"required": ["bank_document"]}]}
    ),
)
def upload_quote(
    request,
    application_id: ApplicationId,
    quote: File[UploadedFile] = None,
    bank_document: File[UploadedFile] = None,
):
    """Upload the draft's documents: the provider's quote, the bank document (RIB) of the account to be
    paid, or both (PDF, 10 MB at most each). After submission the account is changed through
    `POST /applications/{id}/bank-account`."""
    if not (quote or bank_document):
        raise ValidationError(
            [{"loc": ("body", "quote"), "msg": "Envoyez le devis, le RIB ou les deux.", "type": "missing"}]
        )
    files = {}
    if quote:
        files["quote"] = safe_name(quote, "devis.pdf")
    if bank_document:
        files["bank_document"] = safe_name(bank_document, "rib.pdf")
    application = _fetch(request.auth, application_id)
    services.update_draft(request.auth, application, **files)
    return _detail(request.auth, application_id)


@router.post("/{application_id}/check", response=responses(200, CheckOut), operation_id="check_application")
def check_application(request, application_id: ApplicationId):
    """Check a draft as its submission would (who applies, completeness, the account, the rules, the
    budget), without submitting nor reserving anything: usable during the scheme's pre-registration, before
    submissions open. The result is kept on the draft (`checked_at`) until it changes; the submission
    checks everything again. Owner of the draft only."""
    application = _fetch(request.auth, application_id)
    application, problems = services.check_draft(request.auth, application)
    return {
        "ready": not problems,
        "checked_at": application.checked_at,
        "submission_opens_at": application.scheme.window_opens_at,
        "problems": [p.as_dict() for p in problems],
    }


# --- transitions --------------------------------------------------------------------------------


def _transition(name, path=None, operation_id=None, **extra):
    """The endpoint of the declared transition `name`, described from its declaration."""
    return router.post(
        f"/{{application_id}}/{path or name.replace('_', '-')}",
        response=responses(200, ApplicationDetail),
        **{**_described(name), "operation_id": operation_id or name},
        **extra,
    )


@_transition("submit", operation_id="submit_application", openapi_extra=refusals(DE_MINIMIS_REFUSAL))
def submit(request, application_id: ApplicationId):
    # Answered from the file the service returns (read with what the answer shows): on opening day the
    # answer is built while the envelope's row is locked, until the request's transaction commits.
    application = _fetch_to_act(request.auth, application_id, "submit", select=services.SUBMISSION_READ)
    application = services.submit(request.auth, application, fresh=True)
    return serialize.detail(application, request.auth)


@_transition("confirm_authority")
def confirm_authority(request, payload: AuthorityChecklistIn, application_id: ApplicationId):
    services.confirm_authority(
        request.auth,
        _fetch_to_act(request.auth, application_id, "confirm_authority"),
        payload.checklist,
    )
    return _detail(request.auth, application_id)


@_transition("refuse_authority")
def refuse_authority(request, payload: RequiredNoteIn, application_id: ApplicationId):
    services.refuse_authority(
        request.auth, _fetch_to_act(request.auth, application_id, "refuse_authority"), payload.note
    )
    return _detail(request.auth, application_id)


@_transition("uphold_contest")
def uphold_contest(request, payload: RequiredNoteIn, application_id: ApplicationId):
    services.uphold_contest(
        request.auth, _fetch_to_act(request.auth, application_id, "uphold_contest"), payload.note
    )
    return _detail(request.auth, application_id)


@_transition("dismiss_contest")
def dismiss_contest(request, application_id: ApplicationId, payload: Body[NoteIn | None] = None):
    services.dismiss_contest(
        request.auth,
        _fetch_to_act(request.auth, application_id, "dismiss_contest"),
        payload.note if payload else "",
    )
    return _detail(request.auth, application_id)


@_transition("start_review")
def start_review(request, application_id: ApplicationId):
    services.start_review(request.auth, _fetch_to_act(request.auth, application_id, "start_review"))
    return _detail(request.auth, application_id)


@_transition("request_info")
def request_info(request, payload: MessageIn, application_id: ApplicationId):
    services.request_info(
        request.auth, _fetch_to_act(request.auth, application_id, "request_info"), payload.message
    )
    return _detail(request.auth, application_id)


@_transition("answer_info")
def answer_info(request, payload: MessageIn, application_id: ApplicationId):
    services.answer_info(
        request.auth, _fetch_to_act(request.auth, application_id, "answer_info"), payload.message
    )
    return _detail(request.auth, application_id)


@_transition("approve", openapi_extra=refusals(DE_MINIMIS_REFUSAL))
def approve(request, application_id: ApplicationId, payload: Body[NoteIn | None] = None):
    services.approve(
        request.auth, _fetch_to_act(request.auth, application_id, "approve"), payload.note if payload else ""
    )
    return _detail(request.auth, application_id)


@_transition("reject")
def reject(request, payload: RejectIn, application_id: ApplicationId):
    services.reject(
        request.auth,
        _fetch_to_act(request.auth, application_id, "reject"),
        payload.reason.value,
        payload.text,
    )
    return _detail(request.auth, application_id)


@_transition("withdraw")
def withdraw(request, application_id: ApplicationId, payload: Body[ReasonIn | None] = None):
    services.withdraw(
        request.auth,
        _fetch_to_act(request.auth, application_id, "withdraw"),
        payload.reason if payload else "",
    )
    return _detail(request.auth, application_id)


@_transition("submit_claim", path="claim", openapi_extra=pdf_parts("invoice", "proof_of_payment"))
def submit_claim(
    request,
    application_id: ApplicationId,
    invoice: File[UploadedFile],
    proof_of_payment: File[UploadedFile],
    invoiced_spend_cents: Form[FormCents],
):
    try:
        services.submit_claim(
            request.auth,
            _fetch_to_act(request.auth, application_id, "submit_claim"),
            safe_name(invoice, "facture.pdf"),
            safe_name(proof_of_payment, "justificatif.pdf"),
            invoiced_spend_cents,
        )
    except ServiceError as error:
        # A well-formed amount above the quote the voucher was granted on, or below the scheme's minimum:
        # bounds of this file, not of the schema, so the API answers 409 (the page shows it on the form).
        if error.code in CLAIM_AMOUNT_REFUSALS:
            raise as_conflict(error) from None
        raise
    return _detail(request.auth, application_id)


@_transition("start_claim_review")
def start_claim_review(request, application_id: ApplicationId):
    services.start_claim_review(
        request.auth, _fetch_to_act(request.auth, application_id, "start_claim_review")
    )
    return _detail(request.auth, application_id)


@_transition("request_claim_info")
def request_claim_info(request, payload: MessageIn, application_id: ApplicationId):
    services.request_claim_info(
        request.auth, _fetch_to_act(request.auth, application_id, "request_claim_info"), payload.message
    )
    return _detail(request.auth, application_id)


@_transition("answer_claim_info")
def answer_claim_info(request, payload: MessageIn, application_id: ApplicationId):
    services.answer_claim_info(
        request.auth, _fetch_to_act(request.auth, application_id, "answer_claim_info"), payload.message
    )
    return _detail(request.auth, application_id)


@_transition("approve_claim")
def approve_claim(request, application_id: ApplicationId, payload: Body[NoteIn | None] = None):
    services.approve_claim(
        request.auth,
        _fetch_to_act(request.auth, application_id, "approve_claim"),
        payload.note if payload else "",
    )
    return _detail(request.auth, application_id)


@_transition("expire")
def expire(request, application_id: ApplicationId):
    services.expire(_fetch_to_act(request.auth, application_id, "expire"), actor=request.auth)
    return _detail(request.auth, application_id)


@_transition("claw_back")
def claw_back(request, payload: RequiredReasonIn, application_id: ApplicationId):
    services.claw_back(request.auth, _fetch_to_act(request.auth, application_id, "claw_back"), payload.reason)
    return _detail(request.auth, application_id)


# --- the account paid -----------------------------------------------------------------------------


@router.post(
    "/{application_id}/confirm-payee",
    response=responses(200, ApplicationDetail),
    operation_id="confirm_payee",
    summary="Confirmer le compte bancaire sur le RIB (conseiller)",
)
def confirm_payee(request, payload: PayeeChecklistIn, application_id: ApplicationId):
    """The advisor checked the bank document (RIB): the account is the company's. Needed when the bank's
    answer is not a match, for an account outside France and after a change of account once granted."""
    services.confirm_payee(request.auth, _fetch(request.auth, application_id), payload.checklist)
    return _detail(request.auth, application_id)


@router.post(
    "/{application_id}/bank-account",
    response=responses(200, ApplicationDetail),
    operation_id="change_bank_account",
    summary="Changer le compte bancaire du dossier (chef d'entreprise)",
    openapi_extra=pdf_parts("bank_document"),
)
def change_bank_account(
    request,
    application_id: ApplicationId,
    iban: Form[Iban],
    bank_document: File[UploadedFile],
):
    """Give another account, with its bank document (RIB, PDF) in the company's name. Its holder is checked
    with the bank; once the voucher is granted, an advisor confirms the new account before any payment."""
    services.change_bank_account(
        request.auth, _fetch(request.auth, application_id), iban, safe_name(bank_document, "rib.pdf")
    )
    return _detail(request.auth, application_id)
