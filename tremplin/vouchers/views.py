"""Pages of the voucher files. Thin: parse input, call the service, show its message on the right field."""

from datetime import timedelta
from functools import partial

from django.contrib import messages
from django.contrib.humanize.templatetags.humanize import ordinal
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tremplin.accounts.models import Role
from tremplin.authority import services as authority
from tremplin.authority.documents import render_statement
from tremplin.authority.forms import ChecklistForm, ContestForm, DeclarationForm, DocumentsForm
from tremplin.authority.payee import is_foreign
from tremplin.core.errors import PermissionDenied, ServiceError
from tremplin.core.exports import export_response
from tremplin.core.web import document_response, pdf_response, require_role, status_for
from tremplin.registry.carried import carried_company
from tremplin.registry.models import NafCode
from tremplin.schemes.eligibility import BRACKET_LABELS, all_passed
from tremplin.schemes.models import Scheme, SpendCategory
from tremplin.vouchers import assignment, exports, forms, services
from tremplin.vouchers.access import advisor_covers, applications_for, get_application_for_user
from tremplin.vouchers.letters import render_decision_letter
from tremplin.vouchers.models import (
    DOCUMENT_KINDS,
    GRANTED,
    OPEN_STATES,
    Claim,
    Message,
    MessageAttachment,
    State,
    states_tagged,
    with_waitlist_position,
)
from tremplin.vouchers.payment_date import expected_payment_on, paid_on
from tremplin.vouchers.templatetags.voucher_tags import long_date
from tremplin.vouchers.timeline import STAFF_ROLES, timeline
from tremplin.vouchers.workflow import WORKFLOW, remember_standing

PAGE_SIZE = 25

LETTER_STATES = states_tagged(GRANTED)

# action -> (form, call); titles, buttons and messages come from the workflow's declaration
ACTIONS = {
    "start_review": (
        forms.ConfirmForm,
        lambda user, app, data: services.start_review(user, app),
    ),
    "request_info": (
        forms.MessageForm,
        lambda user, app, data: services.post_message(
            user, app, data["message"], data.get("attachments"), action="request_info"
        ),
    ),
    "answer_info": (
        forms.InfoAnswerForm,
        lambda user, app, data: services.answer_info(
            user,
            app,
            data["message"],
            data.get("attachments"),
            quote=data.get("quote"),
            planned_spend_cents=data.get("planned_spend"),
        ),
    ),
    "approve": (
        forms.NoteForm,
        lambda user, app, data: services.approve(user, app, data.get("note", "")),
    ),
    "reject": (
        forms.RejectForm,
        lambda user, app, data: services.reject(user, app, data["reason"], data.get("text", "")),
    ),
    "withdraw": (
        forms.WithdrawForm,
        lambda user, app, data: services.withdraw(user, app, data.get("reason", "")),
    ),
    "submit_claim": (
        forms.ClaimForm,
        lambda user, app, data: services.submit_claim(
            user, app, data["invoice"], data["proof_of_payment"], data["invoiced_spend"]
        ),
    ),
    "start_claim_review": (
        forms.ConfirmForm,
        lambda user, app, data: services.start_claim_review(user, app),
    ),
    "request_claim_info": (
        forms.MessageForm,
        lambda user, app, data: services.post_message(
            user, app, data["message"], data.get("attachments"), action="request_claim_info"
        ),
    ),
    "answer_claim_info": (
        forms.AnswerForm,
        lambda user, app, data: services.post_message(
            user, app, data["message"], data.get("attachments"), action="answer_claim_info"
        ),
    ),
    "approve_claim": (
        forms.NoteForm,
        lambda user, app, data: services.approve_claim(user, app, data.get("note", "")),
    ),
    "expire": (
        forms.ExpireForm,
        lambda user, app, data: services.expire(app, actor=user),
    ),
    "claw_back": (
        forms.ClawBackForm,
        lambda user, app, data: services.claw_back(user, app, data["reason"]),
    ),
    "confirm_authority": (
        partial(ChecklistForm, items=authority.CHECKLIST),
        lambda user, app, data: services.confirm_authority(user, app, data["checklist"]),
    ),
    "refuse_authority": (
        forms.RequiredNoteForm,
        lambda user, app, data: services.refuse_authority(user, app, data["note"]),
    ),
    "uphold_contest": (
        forms.RequiredNoteForm,
        lambda user, app, data: services.uphold_contest(user, app, data["note"]),
    ),
    "dismiss_contest": (
        forms.NoteForm,
        lambda user, app, data: services.dismiss_contest(user, app, data.get("note", "")),
    ),
}


def _decorate(applications):
    for app in applications:
        app.badge_class = WORKFLOW.badge(app.state)
        app.next_step = WORKFLOW.hint(app.state)
    return applications


# --- lists ----------------------------------------------------------------------------------------


def _listed(request):
    """The files of the list page, as its filters select them (all pages), and its filter form."""
    qs = applications_for(request.user).order_by("-created_at", "-id")
    filter_form = forms.StateFilterForm(request.GET or None, states=State.choices)
    if filter_form.is_valid() and filter_form.cleaned_data["state"]:
        qs = qs.filter(state=filter_form.cleaned_data["state"])
    return qs, filter_form


def _owner_next_step(app):
    """The owner's next step, with the place on the waiting list or the opening of submissions."""
    if app.state == State.WAITLISTED and app.waitlist_position() is not None:
        # humanize's ordinal is markup ("12<sup>e</sup>"): the sentence is ours, the région's name escaped.
        return mark_safe(
            gettext("Vous êtes %(rank)s sur la liste d'attente de la région %(region)s.")
            % {"rank": ordinal(app.waitlist_position()), "region": escape(app.envelope.region.name)}
        )
    if app.state == State.DRAFT and app.scheme.in_preregistration():
        opens = timezone.localtime(app.scheme.window_opens_at)
        when = {"day": long_date(opens), "time": date_format(opens, "H:i")}
        if app.checked_at:
            return gettext("Dossier prêt : déposez-le à partir du %(day)s à %(time)s.") % when
        return gettext("Préparez et vérifiez votre demande : le dépôt ouvre le %(day)s à %(time)s.") % when
    return app.next_step


def application_list(request):
    qs, filter_form = _listed(request)
    is_owner = request.user.role == Role.OWNER
    if is_owner:
        qs = with_waitlist_position(qs.select_related("envelope__region"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    _decorate(page.object_list)
    if is_owner:
        for app in page.object_list:
            app.next_step = _owner_next_step(app)
    return render(
        request,
        "vouchers/list.html",
        {
            "page_obj": page,
            "filter_form": filter_form,
            "is_owner": is_owner,
            "can_apply": is_owner and Scheme.objects.filter(Scheme.taking_drafts_filter()).exists(),
        },
    )


@require_GET
def list_export(request, fmt):
    qs, _form = _listed(request)
    return export_response(fmt, qs, exports.FILE_COLUMNS, "dossiers", gettext("Dossiers"))


@require_GET
def claims_export(request, fmt):
    """The payment claims of the files the list selects."""
    qs, _form = _listed(request)
    qs = qs.filter(claim__isnull=False).select_related("claim")
    return export_response(
        fmt, qs, exports.CLAIM_COLUMNS, "demandes-de-paiement", gettext("Paiements demandés")
    )


def _queue(request):
    """The advisor's queue as its tab and filters select it (all pages), with what the page shows."""
    require_role(request.user, Role.ADVISOR)
    states = [(s.value, s.label) for s in assignment.REVIEW_STATES]
    filter_form = forms.QueueFilterForm(request.GET, states=states)
    filters = filter_form.filters()
    tab = filters.get("tab") or "organisation"
    today = timezone.localdate()
    qs = applications_for(request.user).select_related("assigned_advisor")
    if tab == "mine":
        qs = qs.filter(assigned_advisor=request.user)
    elif tab == "unassigned":
        qs = qs.filter(assigned_advisor__isnull=True)
    qs, order = assignment.queue_filter(qs, expires_soon=bool(filters.get("expires_soon")), today=today)
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if filters.get("waiting_days"):
        qs = qs.filter(submitted_at__lte=timezone.now() - timedelta(days=filters["waiting_days"]))
    return qs.order_by(*order), filter_form, filters, tab, today


def queue(request):
    """The advisor's review queue: their files, their organisation's, or the unassigned ones."""
    qs, filter_form, filters, tab, today = _queue(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for app in _decorate(page.object_list):
        app.age_days = assignment.age_days(app, today)
        app.overdue = assignment.is_overdue(app, today)
        app.days_left = (app.valid_until - today).days if app.state == State.APPROVED else None
        app.can_assign = assignment.may_reassign(request.user, app)
        app.can_take = app.can_assign and app.assigned_advisor_id != request.user.pk
    query = request.GET.copy()
    query.pop("page", None)
    tabs = []
    for value, label in forms.QueueFilterForm.TABS:
        query["tab"] = value
        tabs.append({"value": value, "label": label, "url": f"?{query.urlencode()}", "current": value == tab})
    return render(
        request,
        "vouchers/queue.html",
        {
            "page_obj": page,
            "filter_form": filter_form,
            "tab": tab,
            "tabs": tabs,
            "expires_soon": bool(filters.get("expires_soon")),
            "any_to_take": any(app.can_take for app in page.object_list),
        },
    )


@require_GET
def queue_export(request, fmt):
    qs, _form, _filters, _tab, today = _queue(request)
    return export_response(fmt, qs, exports.queue_columns(today), "file-instruction", gettext("Instruction"))


def _safe_next(request, default):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return default


@require_POST
def assign_bulk(request):
    """ "M'attribuer" on the files ticked in the queue: all of them, or none."""
    require_role(request.user, Role.ADVISOR)
    form = forms.BulkAssignForm(request.POST, applications=applications_for(request.user))
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["applications"]))
        return redirect(_safe_next(request, reverse("vouchers:queue")))
    selected = list(form.cleaned_data["applications"].order_by("submitted_at", "id"))
    try:
        count = assignment.assign_to_self(request.user, selected)
    except ServiceError as exc:
        messages.error(request, gettext("Rien n'a été attribué. %(reason)s") % {"reason": exc.message})
        return redirect(_safe_next(request, reverse("vouchers:queue")))
    messages.success(
        request,
        ngettext("%(count)s dossier vous est attribué.", "%(count)s dossiers vous sont attribués.", count)
        % {"count": count},
    )
    return redirect(reverse("vouchers:queue") + "?tab=mine")


@require_http_methods(["GET", "POST"])
def assign(request, pk):
    """Give one file to an advisor: a colleague of one's organisation, or anyone covering it (managers)."""
    require_role(request.user, Role.ADVISOR, Role.MANAGER)
    application = get_application_for_user(request.user, pk)
    form = forms.AssignForm(
        request.POST if request.method == "POST" else None,
        advisors=assignment.assignable_advisors(request.user, application).exclude(
            pk=application.assigned_advisor_id
        ),
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        advisor = form.cleaned_data["advisor"]
        try:
            assignment.assign(request.user, application, advisor)
        except ServiceError as exc:
            form.add_service_error(exc)
            status = status_for(exc, invalid=400)
        else:
            messages.success(
                request,
                gettext("Le dossier %(reference)s est attribué à %(advisor)s.")
                % {"reference": application.reference, "advisor": advisor},
            )
            if request.user.role == Role.ADVISOR:
                return redirect(_safe_next(request, reverse("vouchers:queue")))
            return redirect("vouchers:detail", pk=application.pk)
    return render(
        request,
        "vouchers/assign.html",
        {
            "application": application,
            "form": form,
            "reviewable": application.state in assignment.REVIEW_STATES,
            "next": request.GET.get("next") or request.POST.get("next", ""),
        },
        status=status,
    )


# --- new file and draft ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def new(request):
    if request.user.is_authenticated and request.user.role == Role.PROVIDER:
        raise DjangoPermissionDenied(gettext(authority.PROVIDER_REFUSAL))
    require_role(request.user, Role.OWNER)
    schemes = list(Scheme.objects.filter(Scheme.taking_drafts_filter()).order_by("window_closes_at", "pk"))
    form = forms.CompanyLookupForm(request.POST or None, schemes=schemes)
    company = None
    declaration = None
    contest_form = None
    if request.method == "GET" and (carried := carried_company(request)) is not None:
        # Named in the quick check or a link: shown for confirmation, looked up again when posted.
        form = forms.CompanyLookupForm(initial={"identifier": carried.siren}, schemes=schemes)
        company = carried
        declaration = _declaration_form(request, company, bound=False)
    if request.method == "POST":
        valid = form.is_valid()
        company = form.company
        if company is not None:
            declaration = _declaration_form(request, company, bound=bool(request.POST.get("confirm")))
        if valid and request.POST.get("confirm") and declaration.is_valid():
            try:
                authority.declare(request.user, company, **declaration.cleaned_data)
                application, created = services.create_draft(
                    request.user, form.cleaned_data["scheme"], company, form.establishment
                )
            except ServiceError as exc:
                (declaration if exc.field in declaration.fields else form).add_service_error(exc)
                if exc.code == "already_open" and authority.may_act(request.user, company):
                    contest_form = ContestForm(prefix="contest")
            else:
                if created:
                    messages.success(
                        request, gettext("Votre brouillon est créé. Il s'enregistre au fur et à mesure.")
                    )
                else:
                    messages.info(
                        request,
                        gettext(
                            "Vous aviez déjà commencé cette demande : la voici, avec ce que vous aviez "
                            "enregistré."
                        ),
                    )
                return redirect("vouchers:edit", pk=application.pk)
    context = {
        "form": form,
        "company": company,
        "schemes": schemes,
        "declaration": declaration,
        "contest_form": contest_form,
    }
    if company is not None:
        company.head_office = form.establishment or company.establishments.filter(is_head_office=True).first()
        naf = NafCode.objects.filter(code=company.naf_code).first()
        context["naf_label"] = naf.label if naf else ""
        context["bracket_label"] = BRACKET_LABELS.get(company.headcount_bracket, "")
    return render(request, "vouchers/new.html", context)


def _declaration_form(request, company, bound):
    """The "who applies" questions, filled with what this person declared before (or their account's name)."""
    rep = authority.representation_of(request.user, company)
    initial = (
        {
            "capacity": rep.capacity,
            "given_names": rep.given_names,
            "family_name": rep.family_name,
            "birth_date": rep.birth_date,
        }
        if rep
        else {"given_names": request.user.first_name, "family_name": request.user.last_name}
    )
    return DeclarationForm(request.POST if bound else None, initial=initial, prefix="who")


@require_POST
def contest(request):
    """A verified legal representative contests the company's file opened by someone else."""
    require_role(request.user, Role.OWNER)
    lookup_form = forms.CompanyLookupForm(request.POST, schemes=list(Scheme.objects.all()))
    form = ContestForm(request.POST, prefix="contest")
    if lookup_form.is_valid() and form.is_valid():
        try:
            services.contest(request.user, lookup_form.company, form.cleaned_data["reason"])
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from None
        except ServiceError as exc:
            messages.error(request, gettext(exc.message))
        else:
            messages.success(
                request,
                gettext(
                    "La demande ouverte par une autre personne est suspendue et transmise à un conseiller. "
                    "Vous pouvez maintenant commencer votre propre demande."
                ),
            )
        return redirect("vouchers:new")
    errors = [e for f in (lookup_form, form) for errs in f.errors.values() for e in errs]
    messages.error(request, " ".join(errors))
    return redirect("vouchers:new")


@require_http_methods(["GET", "POST"])
def who_applies(request, pk):
    """The draft's "who applies" page: the declaration, and the documents when the register cannot tell."""
    require_role(request.user, Role.OWNER)
    application = get_application_for_user(request.user, pk)
    if application.state not in (State.DRAFT, State.AUTHORITY_CHECK):
        return redirect("vouchers:detail", pk=application.pk)
    company = application.company
    rep = authority.representation_of(request.user, company)
    step = request.POST.get("_step")
    declaration = _declaration_form(request, company, bound=step == "declare")
    documents = DocumentsForm(
        request.POST if step == "documents" else None, request.FILES or None, prefix="docs"
    )
    status = 200
    if step == "declare" and declaration.is_valid() and application.state == State.DRAFT:
        try:
            rep = authority.declare(request.user, company, **declaration.cleaned_data)
        except ServiceError as exc:
            declaration.add_service_error(exc)
            status = status_for(exc, invalid=400)
        else:
            messages.success(request, gettext("Votre déclaration est enregistrée."))
            return redirect("vouchers:who_applies", pk=application.pk)
    if step == "documents" and documents.is_valid():
        try:
            if rep is None:
                raise ServiceError("authority_missing", "Indiquez d'abord à quel titre vous agissez.", None)
            authority.add_documents(request.user, rep, **documents.cleaned_data)
        except ServiceError as exc:
            documents.add_service_error(exc)
            status = status_for(exc, invalid=400)
        else:
            messages.success(request, gettext("Vos pièces sont enregistrées."))
            return redirect(
                "vouchers:edit" if application.state == State.DRAFT else "vouchers:detail", pk=application.pk
            )
    elif step in ("declare", "documents"):
        status = 400
    return render(
        request,
        "vouchers/who_applies.html",
        {
            "application": application,
            "representation": rep,
            "declaration": declaration,
            "documents": documents,
            "extract_deadline": authority.extract_deadline(),
        },
        status=status,
    )


def statement(request, pk):
    """The statement to print and sign, filled with what the applicant declared."""
    application = get_application_for_user(request.user, pk)
    rep = authority.representation_of(application.owner, application.company)
    if rep is None or request.user.pk != application.owner_id:
        raise Http404(gettext("Indiquez d'abord à quel titre vous agissez pour l'entreprise."))
    return pdf_response(render_statement(rep), f"attestation-{application.company.siren}.pdf")


@require_http_methods(["GET", "POST"])
def edit(request, pk):
    require_role(request.user, Role.OWNER)
    application = get_application_for_user(request.user, pk)
    if application.state != State.DRAFT:
        messages.info(request, gettext("Cette demande est déjà déposée : elle ne peut plus être modifiée."))
        return redirect("vouchers:detail", pk=application.pk)
    autosave = request.headers.get("X-Autosave") == "1"
    action = request.POST.get("_action", "")
    submitting = action == "submit"
    linked_form = forms.LinkedCompanyForm()
    checked = None  # the problems "Vérifier mon dossier" found, when it was just clicked
    if request.method == "POST":
        form = forms.DraftForm(request.POST, request.FILES, application=application)
        form.is_valid()
        application = _save_valid_fields(request.user, application, form)
        if (
            not autosave
            and action in ("save", "submit", "pick_provider")
            and _linked_typed(request, application)
        ):
            # A linked company typed but not added ("Ajouter" not pressed) is added first, not lost.
            linked_form, _done = _change_linked(request, application, "add_linked")
        if not autosave and (action == "add_linked" or action.startswith("remove_linked:")):
            linked_form, done = _change_linked(request, application, action)
            if done:
                return redirect(reverse("vouchers:edit", args=[application.pk]) + "#linked-companies")
        elif autosave:
            # The bank's answer on the account just saved, for the block under it (autosave.js).
            payee = render_to_string(
                "vouchers/includes/payee.html", {**_payee_context(application), "is_owner": True}, request
            )
            return JsonResponse(
                {
                    "saved_at": timezone.localtime().strftime("%H:%M"),
                    "errors": {name: [str(e) for e in errs] for name, errs in form.errors.items()},
                    "fragments": {"payee-status": payee},
                }
            )
        elif action == "pick_provider" and not linked_form.errors:
            # What was typed is saved (the valid fields); the provider is chosen on its own page.
            return redirect("providers:pick_provider", application_pk=application.pk)
        elif not form.errors and not linked_form.errors and submitting:
            try:
                application = services.submit(request.user, application)
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                return redirect("vouchers:detail", pk=application.pk)
        elif not form.errors and not linked_form.errors and action == "check":
            try:
                application, checked = services.check_draft(request.user, application)
            except ServiceError as exc:
                form.add_service_error(exc)
        if not form.errors and not linked_form.errors and checked is None:
            messages.success(request, gettext("Votre brouillon est enregistré."))
            return redirect("vouchers:edit", pk=application.pk)
    else:
        form = forms.DraftForm(application=application)
    eligibility = services.check_eligibility(application)
    missing = _missing(request.user, application)
    scheme = application.scheme
    return render(
        request,
        "vouchers/edit.html",
        {
            "application": application,
            "form": form,
            "linked_form": linked_form,
            "linked_companies": list(application.linked_companies.all()),
            "eligibility": eligibility,
            "missing": missing,
            "representation": authority.representation_of(request.user, application.company),
            "checked": checked,
            # Found ready by "Vérifier mon dossier" and nothing missing since (the submission checks again).
            "ready": application.checked_at is not None and not missing and all_passed(eligibility),
            "preregistration": scheme.in_preregistration(),
            **_payee_context(application),
        },
    )


def _linked_typed(request, application):
    """Whether the owner, who answered "Oui", typed a linked company's SIREN or amount without adding it."""
    typed = any(request.POST.get(f"linked-{name}", "").strip() for name in ("siren", "de_minimis"))
    return typed and application.has_linked_companies is True


def _change_linked(request, application, action):
    """Add the company typed in the linked form, or remove one: (the linked form, whether it was done)."""
    current = [
        {"siren": row.siren, "name": row.name, "de_minimis_cents": row.de_minimis_cents}
        for row in application.linked_companies.all()
    ]
    if action == "add_linked":
        linked_form = forms.LinkedCompanyForm(request.POST)
        if not linked_form.is_valid():
            return linked_form, False
        wanted = current + [
            {
                "siren": linked_form.cleaned_data["siren"],
                "name": linked_form.cleaned_data["name"],
                "de_minimis_cents": linked_form.cleaned_data["de_minimis"],
            }
        ]
        done = gettext("L'entreprise liée est ajoutée à votre déclaration.")
    else:
        linked_form = forms.LinkedCompanyForm()
        siren = action.removeprefix("remove_linked:")
        wanted = [row for row in current if row["siren"] != siren]
        done = gettext("L'entreprise liée est retirée de votre déclaration.")
    try:
        services.declare_linked_companies(request.user, application, wanted)
    except ServiceError as exc:
        if action != "add_linked":
            messages.error(request, gettext(exc.msgid) % exc.params if exc.params else gettext(exc.message))
            return linked_form, True
        linked_form.add_service_error(exc)
        return linked_form, False
    messages.success(request, done)
    return linked_form, True


def _payee_context(application):
    """What vouchers/includes/payee.html needs besides the file."""
    return {
        "application": application,
        "foreign_account": is_foreign(application.iban),
        "payee_registry_name": services.registry_name(application.company),
    }


@require_POST
def delete(request, pk):
    require_role(request.user, Role.OWNER)
    application = get_application_for_user(request.user, pk)
    try:
        services.delete_draft(request.user, application)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(gettext(exc.message)) from None
    except ServiceError as exc:
        messages.error(request, gettext(exc.message))
        return redirect("vouchers:detail", pk=application.pk)
    messages.success(request, gettext("Votre brouillon est supprimé."))
    return redirect("vouchers:list")


def _missing(owner, application):
    """What stops the submission: the file's gaps, then who applies."""
    missing = services.completeness_errors(application)
    refusal = services.authority_refusal(
        owner, application, authority.representation_of(owner, application.company)
    )
    return missing + ([refusal] if refusal else [])


def _save_valid_fields(owner, application, form):
    """Save every valid field; a field the service refuses gets its message and is left out."""
    values = form.changed_values()
    while values:
        try:
            return services.update_draft(owner, application, **values)
        except ServiceError as exc:
            form.add_service_error(exc)
            if exc.field not in values:
                break
            values.pop(exc.field)
    return application


# --- one file -------------------------------------------------------------------------------------


def detail(request, pk):
    application = get_application_for_user(request.user, pk, with_envelope=True)
    return _render_detail(request, application)


def _render_detail(request, application, bound=None, status=200):
    """The file page; `bound` = (action, form) re-shown with its errors."""
    rep = authority.representation_for(application.owner_id, application.company_id)
    remember_standing(application, rep)
    action_forms = []
    for action in services.allowed_actions(request.user, application):
        if action not in ACTIONS:
            continue
        form_class, _call = ACTIONS[action]
        t = WORKFLOW[action]
        if bound and bound[0] == action:
            form = bound[1]
        else:
            form = form_class(prefix=action)
        action_forms.append(
            {
                "action": action,
                "form": form,
                "title": t.title,
                "button": t.button,
                "url": reverse("vouchers:act", args=[application.pk, action]),
            }
        )
    # The file's next step first (the claim, a reply), then the account; withdrawing, which ends it, last.
    action_forms += _payee_forms(request.user, application, bound)
    action_forms.sort(key=lambda item: item["action"] == "withdraw")
    # A refused action whose form is no longer offered (the file moved on): say why at the top.
    refused = []
    if bound and bound[0] not in {item["action"] for item in action_forms}:
        refused = [error for errors in bound[1].errors.values() for error in errors]
    claim = Claim.objects.filter(application=application).first()
    labels = dict(State.choices)
    return render(
        request,
        "vouchers/detail.html",
        {
            "application": application,
            "badge_class": WORKFLOW.badge(application.state),
            "next_step": WORKFLOW.hint(application.state) if request.user.role == Role.OWNER else "",
            **_receipt_context(request, application),
            "claim": claim,
            "expected_payment_on": expected_payment_on(claim) if claim else None,
            "paid_on": paid_on(claim) if claim else None,
            "in_batch": claim is not None and hasattr(application, "payment_line"),
            # The exchange is the owner's with the programme: never the provider's (docs/privacy.md).
            "show_messages": request.user.role != Role.PROVIDER,
            "messages_exchanged": Message.objects.filter(application=application)
            .select_related("author")
            .prefetch_related("attachments")
            if request.user.role != Role.PROVIDER
            else Message.objects.none(),
            "events": timeline(application, request.user),
            "staff_reader": request.user.role in STAFF_ROLES,
            "signals": services.file_signals(application) if request.user.role in STAFF_ROLES else [],
            "action_forms": action_forms,
            "representation": rep,
            **_payee_context(application),
            "bracket_label": BRACKET_LABELS.get(application.company.headcount_bracket, "–"),
            "held_from_label": labels.get(application.held_from, ""),
            "refused": refused,
            "has_letter": application.state in LETTER_STATES,
            "is_owner": application.owner_id == request.user.pk,
            "category_label": dict(SpendCategory.choices).get(
                application.spend_category, application.spend_category
            ),
        },
        status=status,
    )


# While the file can still move in the arrival order (waiting for budget, or for the check of who
# applies), its receipt is asked again by the page (receipt.js).
RECEIPT_LIVE_STATES = (State.WAITLISTED, State.AUTHORITY_CHECK)


def _receipt_context(request, application, shown_state=None):
    """What vouchers/includes/receipt.html needs: the place on the waiting list, the région of the budget,
    and whether the file moved on since the page showed `shown_state`."""
    moved_on = shown_state is not None and shown_state != application.state
    envelope = application.envelope
    return {
        "position": application.waitlist_position(),
        "receipt_region": envelope.region.name if envelope else "",
        "receipt_live": application.state in RECEIPT_LIVE_STATES and not moved_on,
        "moved_on": moved_on,
        "is_owner": application.owner_id == request.user.pk,
    }


@require_GET
def receipt(request, pk):
    """The receipt fragment alone (no page around it), for receipt.js; `?etat=` is the state the page shows."""
    application = get_application_for_user(request.user, pk, with_envelope=True)
    if application.submitted_at is None:
        raise Http404("Ce dossier n'est pas encore déposé.")
    shown = request.GET.get("etat")
    return render(
        request,
        "vouchers/includes/receipt.html",
        {"application": application, **_receipt_context(request, application, shown or None)},
    )


# What is not a state change: the advisor confirms the account, the owner gives another one.
PAYEE_ACTIONS = {
    "confirm_payee": (
        lambda app: partial(ChecklistForm, items=services.payee_checklist(app)),
        lambda user, app, data: services.confirm_payee(user, app, data["checklist"]),
        _("Confirmer le compte bancaire"),
        _("Je confirme, RIB vérifié"),
        _("Le compte bancaire est confirmé."),
    ),
    "change_bank_account": (
        lambda app: forms.BankAccountForm,
        lambda user, app, data: services.change_bank_account(user, app, data["iban"], data["bank_document"]),
        _("Changer de compte bancaire"),
        _("Enregistrer le nouveau compte"),
        _("Le nouveau compte est enregistré. Un conseiller le vérifiera avant le paiement."),
    ),
}


def _payee_forms(user, application, bound):
    """The account actions this person may take now."""
    offered = []
    if application.state in OPEN_STATES and application.bank_document:
        if user.role == Role.ADVISOR and not application.payee_verified and advisor_covers(user, application):
            offered.append("confirm_payee")
    if (
        application.state in OPEN_STATES
        and application.scheme.payee == Scheme.Payee.BUSINESS
        and WORKFLOW.roles["owner"](user, application)
        and not hasattr(application, "payment_line")
    ):
        offered.append("change_bank_account")
    items = []
    for action in offered:
        make_form, _call, title, button, _success = PAYEE_ACTIONS[action]
        form = bound[1] if bound and bound[0] == action else make_form(application)(prefix=action)
        url = reverse("vouchers:payee_action", args=[application.pk, action])
        items.append({"action": action, "form": form, "title": title, "button": button, "url": url})
    return items


@require_POST
def payee_action(request, pk, action):
    if action not in PAYEE_ACTIONS:
        raise Http404(gettext("Action inconnue."))
    application = get_application_for_user(request.user, pk)
    make_form, call, _title, _button, success = PAYEE_ACTIONS[action]
    form = make_form(application)(request.POST, request.FILES, prefix=action)
    if not form.is_valid():
        return _render_detail(request, application, bound=(action, form), status=400)
    try:
        call(request.user, application, form.cleaned_data)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from None
    except ServiceError as exc:
        form.add_service_error(exc)
        return _render_detail(request, application, bound=(action, form), status=status_for(exc))
    messages.success(request, success)
    return redirect("vouchers:detail", pk=application.pk)


@require_POST
def act(request, pk, action):
    if action not in ACTIONS:
        raise Http404(gettext("Action inconnue."))
    application = get_application_for_user(request.user, pk)
    form_class, call = ACTIONS[action]
    form = form_class(request.POST, request.FILES, prefix=action)
    if not form.is_valid():
        return _render_detail(request, application, bound=(action, form))
    try:
        call(request.user, application, form.cleaned_data)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from None
    except ServiceError as exc:
        form.add_service_error(exc)
        return _render_detail(request, application, bound=(action, form), status=status_for(exc))
    messages.success(request, WORKFLOW[action].success)
    return redirect("vouchers:detail", pk=application.pk)


# --- documents ------------------------------------------------------------------------------------

# kind in the address → (field, name of the downloaded file).
DOWNLOAD_NAMES = {
    "proof_of_payment": "justificatif-de-paiement",
    "register_extract": "extrait-registre",
    "statement": "attestation-signee",
}
DOCUMENTS = {kind: (field, DOWNLOAD_NAMES.get(field, kind)) for field, kind in DOCUMENT_KINDS.items()}


def document(request, pk, kind):
    """Serve a file's PDF after checking access: uploads are never public media URLs."""
    if kind not in DOCUMENTS:
        raise Http404(gettext("Document inconnu."))
    application = get_application_for_user(request.user, pk)
    field, name = DOCUMENTS[kind]
    if field == "bank_document" and request.user.role == Role.PROVIDER:
        # A provider works for the business: its bank details are none of its business (as in the API).
        raise Http404(gettext("Ce document n'a pas été déposé."))
    if field in ("quote", "bank_document"):
        owner = application
    elif field in ("register_extract", "statement"):
        if request.user.role == Role.PROVIDER:
            raise Http404(gettext("Ce document n'a pas été déposé."))
        owner = authority.representation_of(application.owner, application.company)
    else:
        owner = Claim.objects.filter(application=application).first()
    upload = getattr(owner, field, None) if owner is not None else None
    if not upload:
        raise Http404(gettext("Ce document n'a pas été déposé."))
    return document_response(upload, f"{name}-{application.reference}.pdf")


def attachment(request, pk, message_pk, attachment_pk):
    application = get_application_for_user(request.user, pk)
    if request.user.role == Role.PROVIDER:
        raise Http404(gettext("Pièce jointe introuvable."))
    attachment = get_object_or_404(
        MessageAttachment, message__application=application, message_id=message_pk, pk=attachment_pk
    )
    return document_response(attachment.file, attachment.original_name)


def letter(request, pk):
    application = get_application_for_user(request.user, pk)
    if application.state not in LETTER_STATES:
        raise Http404(gettext("La lettre de décision n'existe que pour un chèque accordé."))
    pdf = render_decision_letter(application)
    return pdf_response(pdf, f"decision-{application.reference}.pdf")


# --- schemes and their budget (lottery draw) ----------------------------------------------------


def schemes(request):
    """Every scheme with its envelopes' totals, for the programme's manager and auditor."""
    require_role(request.user, Role.MANAGER, Role.AUDITOR)
    rows = list(
        Scheme.objects.annotate(
            total_cents=Coalesce(Sum("envelopes__total_cents"), 0),
            committed_cents=Coalesce(Sum("envelopes__committed_cents"), 0),
            disbursed_cents=Coalesce(Sum("envelopes__disbursed_cents"), 0),
            envelope_count=Count("envelopes"),
        ).order_by("-window_opens_at", "name")
    )
    for row in rows:
        row.available_cents = row.total_cents - row.committed_cents
    return render(request, "vouchers/schemes.html", {"schemes": rows})


@require_http_methods(["GET", "POST"])
def scheme(request, slug):
    require_role(request.user, Role.MANAGER, Role.AUDITOR)
    obj = get_object_or_404(Scheme, slug=slug)
    can_draw = services.draw_refusal(request.user, obj) is None
    form = forms.LotteryForm(request.POST or None, initial={"seed": obj.lottery_seed}, prefix="draw")
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            drawn = services.draw_lottery(request.user, obj, form.cleaned_data["seed"])
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from None
        except ServiceError as exc:
            form.add_service_error(exc)
            status = status_for(exc)
        else:
            messages.success(
                request,
                gettext("Le tirage est fait : %(count)s dossier(s) classé(s).") % {"count": len(drawn)},
            )
            return redirect("vouchers:scheme", slug=obj.slug)
    return render(
        request,
        "vouchers/scheme.html",
        {
            "scheme": obj,
            "envelopes": obj.envelopes.select_related("region").order_by("year", "region__name"),
            "can_draw": can_draw,
            "form": form,
        },
        status=status,
    )
