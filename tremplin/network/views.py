"""Pages of the advisor network. Thin: fetch through access, change through services."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tremplin.accounts.models import Role, User
from tremplin.core import ratelimits
from tremplin.core.errors import PermissionDenied, ServiceError
from tremplin.core.exports import export_response
from tremplin.core.web import require_role
from tremplin.network import attendance, exports, forms, reach, routing, services, workflow
from tremplin.network.access import (
    NETWORK_ROLES,
    actions_for,
    get_match_for_user,
    get_request_for_user,
    matches_for,
    national_queue,
)
from tremplin.network.models import OPEN_MATCH_STATES, Match, MatchState
from tremplin.network.workflow import WORKFLOW
from tremplin.registry.lookup import find_company, normalise

PAGE_SIZE = 25


@require_http_methods(["GET", "POST"])
@login_not_required
def new_request(request):
    form = forms.RequestForm(request.POST or None)
    wait = ratelimits.exceeded(request, "network_request_ip") if request.method == "POST" else 0
    if wait:
        form.is_valid()
        ratelimits.too_many(form, wait)
        return render(request, "network/new_request.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        same = (
            data["siret"],
            data["email"].lower(),
            data["theme"],
            " ".join(data["description"].lower().split()),
        )
        if not ratelimits.first_time("network-request", same, settings.NETWORK_REQUEST_DUPLICATE_SECONDS):
            # A second click, or the form sent again: the request is already with the advisors.
            messages.info(
                request,
                gettext(
                    "Nous avons déjà reçu cette demande : elle n'est pas envoyée une seconde fois. "
                    "Un conseiller vous répond bientôt."
                ),
            )
            return redirect("network:request_sent")
        try:
            created = services.create_request(
                siret=data["siret"],
                email=data["email"],
                theme_code=data["theme"],
                description=data["description"],
                postal_code=data["postal_code"],
                phone=data["phone"],
                user=request.user,
            )
        except ServiceError as error:
            ratelimits.forget("network-request", same)
            form.add_service_error(error)
        except BaseException:
            ratelimits.forget("network-request", same)
            raise
        else:
            messages.success(
                request,
                gettext(
                    "Votre demande %(reference)s est enregistrée. Nous vous avons envoyé une confirmation "
                    "à %(email)s."
                )
                % {"reference": created.request.reference, "email": created.request.email},
            )
            for warning in created.warnings:
                messages.warning(request, gettext(warning))
            return redirect("network:request_sent")
    return render(request, "network/new_request.html", {"form": form})


@login_not_required
def request_sent(request):
    return render(request, "network/request_sent.html")


def _my_matches(request):
    """The advisor's matches as the dashboard's state filter selects them (all pages), and the state."""
    state = request.GET.get("etat", "")
    matches = matches_for(request.user).order_by("-created_at", "-pk")
    if state in MatchState.values:
        matches = matches.filter(state=state)
    return matches, state


def dashboard(request):
    user = request.user
    require_role(user, *NETWORK_ROLES)
    today = timezone.localdate()
    month_start = today.replace(day=1)
    context = {"today": today, "is_advisor": user.role == Role.ADVISOR}
    if user.role == Role.ADVISOR:
        matches, state = _my_matches(request)
        context["page"] = Paginator(matches, PAGE_SIZE).get_page(request.GET.get("page"))
        context["state"] = state
        context["states"] = MatchState.choices
        context["my_reach"] = reach.firms_reached(since=month_start, until=today, advisor_id=user.pk)
        if user.organisation_id:
            context["colleagues"] = (
                User.objects.filter(organisation_id=user.organisation_id, role=Role.ADVISOR)
                .annotate(
                    open_matches=Count("matches", filter=Q(matches__state__in=OPEN_MATCH_STATES)),
                    done_matches=Count("matches", filter=Q(matches__state=MatchState.DONE)),
                )
                .order_by("last_name", "first_name", "pk")
            )
            context["organisation_reach"] = reach.firms_reached(
                since=month_start, until=today, organisation_id=user.organisation_id
            )
    else:
        context["queue_count"] = national_queue().count()
        context["programme_reach"] = reach.firms_reached(since=month_start, until=today)
    return render(request, "network/dashboard.html", context)


@require_GET
def matches_export(request, fmt):
    require_role(request.user, Role.ADVISOR)
    matches, _state = _my_matches(request)
    return export_response(fmt, matches, exports.MATCH_COLUMNS, "mes-demandes", gettext("Mes demandes"))


@require_GET
def actions_export(request, fmt):
    """The action log of the advisor's organisation, or the whole programme's for its staff."""
    require_role(request.user, *NETWORK_ROLES)
    actions = actions_for(request.user).order_by("-on", "-pk")
    return export_response(fmt, actions, exports.ACTION_COLUMNS, "journal-des-actions", gettext("Actions"))


def request_detail(request, pk):
    network_request = get_request_for_user(request.user, pk)
    matches = list(
        network_request.matches.select_related("advisor__organisation").order_by("created_at", "pk")
    )
    for match in matches:
        match.moves = workflow.advisor_moves(request.user, match)
    context = {
        "item": network_request,
        # The phone is for the advisors the request was sent to, not their colleagues nor the programme.
        "show_phone": any(match.advisor_id == request.user.pk for match in matches),
        "matches": matches,
        "status_label": _status_label(network_request, matches),
        "reassign": WORKFLOW[workflow.REASSIGN],
    }
    if request.user.role == Role.MANAGER and not network_request.archived_at:
        # One query for the choices, shared by the "assign" form and each open match's "reassign" form.
        routed = {match.advisor_id for match in matches}
        advisors = [
            advisor
            for advisor in routing.covering_advisors(network_request).select_related("organisation")
            if advisor.pk not in routed
        ]
        context["advisors_available"] = bool(advisors)
        context["assign_form"] = forms.AdvisorChoiceForm(advisors, prefix="assign")
        for match in matches:
            if workflow.may_reassign(request.user, match):
                match.reassign_form = forms.AdvisorChoiceForm(advisors, prefix=f"match-{match.pk}")
    return render(request, "network/request_detail.html", context)


def _manager_choice(request, network_request, prefix):
    """The advisor a manager chose in a posted AdvisorChoiceForm, or None with an error message."""
    routed = set(network_request.matches.values_list("advisor_id", flat=True))
    advisors = [
        advisor
        for advisor in routing.covering_advisors(network_request).select_related("organisation")
        if advisor.pk not in routed
    ]
    form = forms.AdvisorChoiceForm(advisors, request.POST, prefix=prefix)
    if form.is_valid():
        return form.cleaned_data["advisor"]
    messages.error(
        request,
        gettext(
            "Choisissez dans la liste un conseiller qui couvre le territoire et n'a pas déjà reçu la demande."
        ),
    )
    return None


def _manager_send(request, network_request, prefix, send, success):
    """Run `send(manager, advisor)` with the advisor chosen in the posted form; message either way."""
    advisor = _manager_choice(request, network_request, prefix)
    if advisor is None:
        return
    try:
        send(request.user, advisor)
    except ServiceError as error:
        messages.error(request, gettext(error.message))
    else:
        messages.success(request, success)


@require_POST
def assign(request, pk):
    require_role(request.user, Role.MANAGER)
    network_request = get_request_for_user(request.user, pk)
    _manager_send(
        request,
        network_request,
        "assign",
        lambda manager, advisor: services.assign_request(manager, network_request, advisor),
        gettext("La demande est envoyée au conseiller choisi."),
    )
    return redirect("network:request", network_request.pk)


@require_POST
def reassign(request, pk):
    require_role(request.user, Role.MANAGER)
    match = get_match_for_user(request.user, pk)
    _manager_send(
        request,
        match.request,
        f"match-{match.pk}",
        lambda manager, advisor: services.reassign_match(manager, match, advisor),
        str(WORKFLOW[workflow.REASSIGN].success),
    )
    return redirect("network:request", match.request_id)


def _status_label(network_request, matches):
    from tremplin.network.models import RequestStatus, request_status

    return RequestStatus(request_status(network_request.archived_at, [m.state for m in matches])).label


@require_POST
def match_state(request, pk):
    match = get_match_for_user(request.user, pk)
    form = forms.MatchStateForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choisissez un état dans la liste."))
    else:
        try:
            services.change_match_state(request.user, match, form.cleaned_data["state"])
        except PermissionDenied as error:
            raise DjangoPermissionDenied(gettext(error.message)) from None
        except ServiceError as error:
            messages.error(request, gettext(error.message))
        else:
            messages.success(request, gettext("La mise en relation est à jour."))
    return redirect("network:request", match.request_id)


@require_GET
def national_queue_export(request, fmt):
    require_role(request.user, Role.MANAGER, Role.AUDITOR)
    queue = national_queue().annotate(declined=Count("matches")).order_by("created_at", "pk")
    return export_response(fmt, queue, exports.QUEUE_COLUMNS, "file-nationale", gettext("File nationale"))


def national_queue_page(request):
    require_role(request.user, Role.MANAGER, Role.AUDITOR)
    queue = national_queue().prefetch_related(
        Prefetch("matches", queryset=Match.objects.only("id", "request_id", "state"))
    )
    page = Paginator(queue.order_by("created_at", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "network/national_queue.html",
        {"page": page, "can_assign": request.user.role == Role.MANAGER},
    )


@require_http_methods(["GET", "POST"])
def new_awareness(request):
    require_role(request.user, Role.ADVISOR)
    form = forms.AwarenessForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session, unknown = services.record_awareness_session(
                request.user,
                on=data["on"],
                theme=data["theme"],
                title=data["title"],
                identifiers=attendance.identifiers(
                    data["attendees"], data["attendees_file"].read() if data["attendees_file"] else None
                ),
            )
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                gettext("Session enregistrée : %(count)s entreprise(s) présente(s).")
                % {"count": session.actions.count()},
            )
            if unknown:
                messages.warning(
                    request,
                    gettext("Numéros introuvables dans le répertoire SIRENE, non comptés : %(numbers)s")
                    % {"numbers": ", ".join(unknown)},
                )
            return redirect("network:dashboard")
    return render(
        request, "network/action_form.html", {"form": form, "title": gettext("Session de sensibilisation")}
    )


@require_http_methods(["GET", "POST"])
def new_coaching(request):
    require_role(request.user, Role.ADVISOR)
    form = forms.CoachingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        company = find_company(normalise(data["siret"])[:9])
        if company is None:
            form.add_error("siret", gettext("Ce numéro n'est pas dans le répertoire SIRENE : vérifiez-le."))
        else:
            try:
                services.record_coaching_session(
                    request.user, company=company, on=data["on"], hours=data["hours"], topic=data["topic"]
                )
            except ServiceError as error:
                form.add_service_error(error)
            else:
                messages.success(request, gettext("Séance d'accompagnement enregistrée."))
                return redirect("network:dashboard")
    return render(
        request, "network/action_form.html", {"form": form, "title": gettext("Séance d'accompagnement")}
    )
