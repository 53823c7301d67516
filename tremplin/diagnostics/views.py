"""Pages of the diagnostic. Thin: parse input, call the service, show its message where it belongs."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from tremplin.accounts.access import covered_departements
from tremplin.core.errors import PermissionDenied, ServiceError
from tremplin.core.web import pdf_response, require_role
from tremplin.diagnostics import forms, results, services
from tremplin.diagnostics.access import (
    STARTERS,
    diagnostics_for,
    get_diagnostic_for_user,
    may_answer,
    may_start,
)
from tremplin.diagnostics.models import State
from tremplin.diagnostics.questionnaire import RATING_LABELS, TRISTATE_LABELS
from tremplin.diagnostics.report import render_report
from tremplin.registry.carried import carried_company

PAGE_SIZE = 25


@require_GET
def diagnostic_list(request):
    user = request.user
    qs = diagnostics_for(user).order_by("-created_at", "-pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    covered = covered_departements(user)
    for diagnostic in page.object_list:
        diagnostic.resume_step = diagnostic.first_unanswered_step() or len(
            diagnostic.questionnaire.dimensions
        )
        diagnostic.can_answer = may_answer(user, diagnostic, covered)
    return render(
        request,
        "diagnostics/list.html",
        {"page_obj": page, "can_start": may_start(user)},
    )


@require_http_methods(["GET", "POST"])
def start(request):
    require_role(request.user, *STARTERS)
    carried = None if request.method == "POST" else carried_company(request)
    if carried is not None:
        form = forms.StartForm(initial={"identifier": carried.siren}, user=request.user)
    else:
        form = forms.StartForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid() and request.POST.get("confirm"):
        try:
            diagnostic, created = services.start(request.user, form.company, owner=form.owner)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            if not created:
                messages.info(
                    request,
                    gettext("Un diagnostic est déjà en cours pour cette entreprise : reprenez-le ici."),
                )
            return redirect(
                "diagnostics:step", pk=diagnostic.pk, number=diagnostic.first_unanswered_step() or 1
            )
    return render(request, "diagnostics/start.html", {"form": form, "company": carried or form.company})


def _screen(diagnostic, number, errors=None, posted=None):
    """What the template needs to draw one dimension's questions with the current answers."""
    questionnaire = diagnostic.questionnaire
    dimension = questionnaire.dimensions[number - 1]
    questions = []
    for question in dimension.questions:
        answer = diagnostic.answers.get(question.id)
        values = forms.initial_values(question, answer)
        if posted is not None and question.id in (errors or {}):
            values = forms.initial_values(question, None)
            values.update(_posted_values(question, posted))
        questions.append(
            {
                "question": question,
                "items": [{"item": item, "value": values.get(item.id)} for item in question.items],
                "exclusive": question.exclusive
                and {"item": question.exclusive, "value": values.get(question.exclusive.id)},
                "error": (errors or {}).get(question.id),
            }
        )
    return dimension, questions


def _posted_values(question, data):
    """What the person had typed, to show it again next to the error."""
    if question.kind in ("ticks", "ticks_exclusive"):
        return {item: True for item in data.getlist(question.id)}
    return {item: data.get(f"{question.id}-{item}") for item in question.item_ids}


def _save(user, diagnostic, answers):
    """Save each question on its own: a refused answer gets its message and the others are kept."""
    errors = {}
    for qid, value in answers.items():
        try:
            diagnostic = services.save_answers(user, diagnostic, {qid: value})
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from None
        except ServiceError as exc:
            if exc.code == "already_completed":
                raise
            errors[qid] = exc.message
    return diagnostic, errors


@require_http_methods(["GET", "POST"])
def step(request, pk, number):
    diagnostic = get_diagnostic_for_user(request.user, pk)
    count = len(diagnostic.questionnaire.dimensions)
    if not 1 <= number <= count:
        raise Http404(gettext("Cette étape n'existe pas."))
    if diagnostic.state == State.COMPLETED:
        messages.info(request, gettext("Ce diagnostic est terminé : voici ses résultats."))
        return redirect("diagnostics:results", pk=diagnostic.pk)
    if not may_answer(request.user, diagnostic):
        raise DjangoPermissionDenied(gettext("Vous pouvez lire ce diagnostic, mais pas y répondre."))
    errors = {}
    if request.method == "POST":
        dimension = diagnostic.questionnaire.dimensions[number - 1]
        try:
            diagnostic, errors = _save(
                request.user, diagnostic, forms.answers_from_post(dimension, request.POST)
            )
        except ServiceError as exc:
            messages.info(request, exc.message)
            return redirect("diagnostics:results", pk=diagnostic.pk)
        if request.headers.get("X-Autosave") == "1":
            return JsonResponse({"saved_at": timezone.localtime().strftime("%H:%M"), "errors": errors})
        action = request.POST.get("_action", "next")
        if not errors:
            if action == "previous" and number > 1:
                return redirect("diagnostics:step", pk=diagnostic.pk, number=number - 1)
            if action == "save":
                messages.success(
                    request, gettext("Vos réponses sont enregistrées. Vous pourrez reprendre plus tard.")
                )
                return redirect("diagnostics:list")
            if number < count:
                return redirect("diagnostics:step", pk=diagnostic.pk, number=number + 1)
            return _complete(request, diagnostic)
    dimension, questions = _screen(diagnostic, number, errors, request.POST if errors else None)
    next_dimension = diagnostic.questionnaire.dimensions[number] if number < count else None
    return render(
        request,
        "diagnostics/step.html",
        {
            "diagnostic": diagnostic,
            "dimension": dimension,
            "questions": questions,
            "number": number,
            "count": count,
            "next_dimension": next_dimension,
            "errors": errors,
            "rating_labels": sorted(RATING_LABELS.items()),
            "tristate_labels": list(TRISTATE_LABELS.items()),
            "area_choices": forms.AREA_CHOICES,
        },
    )


def _complete(request, diagnostic):
    try:
        diagnostic = services.complete(request.user, diagnostic)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("diagnostics:step", pk=diagnostic.pk, number=diagnostic.first_unanswered_step() or 1)
    messages.success(request, gettext("Votre diagnostic est terminé. Voici vos résultats."))
    return redirect("diagnostics:results", pk=diagnostic.pk)


@require_GET
def results_page(request, pk):
    diagnostic = get_diagnostic_for_user(request.user, pk)
    if diagnostic.state != State.COMPLETED:
        return redirect("diagnostics:step", pk=diagnostic.pk, number=diagnostic.first_unanswered_step() or 1)
    data = results.build(request.user, diagnostic)
    return render(
        request,
        "diagnostics/results.html",
        {
            "r": data,
            "diagnostic": diagnostic,
            "level_label": results.level_label(diagnostic.level),
            "level_text": results.LEVEL_TEXT.get(diagnostic.level, ""),
            "min_group": results.peers.MIN_GROUP,
            "can_start": may_start(request.user) and may_answer(request.user, diagnostic),
        },
    )


@require_GET
def report(request, pk):
    diagnostic = get_diagnostic_for_user(request.user, pk)
    if diagnostic.state != State.COMPLETED:
        raise Http404(gettext("Le rapport existe quand le diagnostic est terminé."))
    pdf = render_report(request.user, diagnostic)
    return pdf_response(pdf, f"diagnostic-numerique-{diagnostic.company.siren}-{diagnostic.pk}.pdf")
