"""Steering pages: thin views over the figures of this app's modules, always within the viewer's scope."""

from functools import wraps

from django.shortcuts import render
from django.views.decorators.http import require_GET

from tremplin.steering.delays import delays
from tremplin.steering.funnel import funnel
from tremplin.steering.menu import menu
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
    """A page of figures for a period: the filters form, then the figures, or the form's errors (400)."""
    form = FiltersForm(request.GET, scope)
    if not form.is_valid():
        return render_page(request, template, scope, form=form, status=400, **context)
    return render_page(
        request,
        template,
        scope,
        form=form,
        figures=compute(scope, form),
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
