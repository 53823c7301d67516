"""Steering pages: thin views over the figures of this app's modules, always within the viewer's scope."""

from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tremplin.steering import budget as budget_figures
from tremplin.steering import opendata, reach, refresh, state_aid, tilemap
from tremplin.steering.delays import delays
from tremplin.steering.forms import ReachForm
from tremplin.steering.funnel import funnel
from tremplin.steering.menu import menu
from tremplin.steering.models import BudgetAlert
from tremplin.steering.network import network
from tremplin.steering.period import FiltersForm
from tremplin.steering.scope import scope_for


def steering_page(view):
    """A GET page for those who may steer; the view receives the viewer's `scope`."""

    @require_GET
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return view(request, scope_for(request.user), *args, **kwargs)

    return wrapper


def render_page(request, template, scope, status=200, **context):
    """A steering page: its template (extending steering/base.html) with the scope and the side menu."""
    return render(
        request, template, {"scope": scope, "steering_menu": menu(request), **context}, status=status
    )


@steering_page
def index(request, scope):
    return render_page(request, "steering/index.html", scope)


def _filtered_page(request, scope, template, compute, **context):
    """A page of figures for a period: the filters form, then the figures, or the form's errors (400).

    The figures are those of the last rebuild of the pre-aggregated tables (steering.facts); when there
    was none yet, one is asked for and the page says the figures are being computed."""
    form = FiltersForm(request.GET, scope)
    if not form.is_valid():
        return render_page(request, template, scope, form=form, status=400, **context)
    computed_at = refresh.last_refresh().flow_computed_at
    if computed_at is None:
        refresh.request_refresh()
        computed_at = refresh.last_refresh().flow_computed_at  # done already when tasks run at once
    return render_page(
        request,
        template,
        scope,
        form=form,
        figures=computed_at and compute(scope, form, computed_at),
        computing=computed_at is None,
        query=form.query_string(),
        **context,
    )


@steering_page
def funnel_page(request, scope):
    return _filtered_page(request, scope, "steering/funnel.html", funnel)


@steering_page
def delays_page(request, scope):
    return _filtered_page(request, scope, "steering/delays.html", delays)


@steering_page
def network_page(request, scope):
    return _filtered_page(request, scope, "steering/network.html", network)


@steering_page
def budget(request, scope):
    refreshed = refresh.last_refresh()
    envelopes = budget_figures.figures(scope, refreshed)
    alerts = {}
    if scope.national:
        for alert in BudgetAlert.objects.filter(envelope__in=[f.envelope for f in envelopes]):
            alerts.setdefault(alert.envelope_id, []).append(alert)
    for fig in envelopes:
        fig.alerts = alerts.get(fig.envelope.pk, [])
    return render_page(
        request,
        "steering/budget.html",
        scope,
        envelopes=envelopes,
        refreshed=refreshed,
        pace_days=budget_figures.PACE_DAYS,
        min_history_days=budget_figures.MIN_HISTORY_DAYS,
        thresholds=budget_figures.THRESHOLDS,
    )


@steering_page
def reach_page(request, scope):
    form = ReachForm(request.GET or None)
    scheme = form.fields["dispositif"].queryset.first()
    measure = "beneficiaries"
    if form.is_bound and form.is_valid():
        scheme = form.cleaned_data["dispositif"] or scheme
        measure = form.cleaned_data["mesure"] or measure
    elif not form.is_bound and scheme:
        form = ReachForm(initial={"dispositif": scheme.slug, "mesure": measure})
    context = {"form": form, "scheme": scheme, "measure": measure}
    figures = reach.reach(scheme, scope) if scheme else None
    context["figures"] = figures
    if figures:
        highest, lowest = reach.highest_and_lowest(figures.rows, measure)
        context.update(
            map=tilemap.tile_map(figures.rows, measure),
            highest=highest,
            lowest=lowest,
            high_rate=highest and highest.rate_of(measure),
            low_rate=lowest and lowest.rate_of(measure),
            national_rate=figures.total.rate_of(measure),
        )
    return render_page(request, "steering/reach.html", scope, **context)


@steering_page
def open_data(request, scope):
    """The published datasets and their files; the notes of the last builds, no query of the figures."""
    datasets = [
        {"dataset": dataset, "build": opendata.last_build(dataset)} for dataset in opendata.DATASETS.values()
    ]
    return render_page(
        request,
        "steering/open_data.html",
        scope,
        datasets=datasets,
        threshold=opendata.SECRECY_THRESHOLD,
        max_age_minutes=settings.OPEN_DATA_MAX_AGE // 60,
    )


@steering_page
def state_aid_register(request, scope):
    """The granted vouchers for the national de minimis register: the whole programme's, so managers and
    auditors only (an organisation's head steers a territory, not the State's register)."""
    if not scope.national:
        raise PermissionDenied
    if request.GET.get("format") == "csv":
        response = StreamingHttpResponse(state_aid.csv_lines(), content_type="text/csv; charset=utf-8")
        name = f"registre-aides-etat-{timezone.localdate():%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    refreshed = refresh.last_refresh()
    return render_page(
        request,
        "steering/state_aid_register.html",
        scope,
        summary=state_aid.stored_summary(refreshed) if refreshed.stock_computed_at else state_aid.summary(),
        refreshed=refreshed,
        latest=state_aid.latest_table(),
        grantor=state_aid.grantor(),
        columns=state_aid.COLUMNS,
        computed_at=timezone.localtime(),
    )
