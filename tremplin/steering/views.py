"""Steering pages: thin views over the figures of this app's modules, always within the viewer's scope."""

from functools import wraps

from django.shortcuts import render
from django.views.decorators.http import require_GET

from tremplin.steering import reach, tilemap
from tremplin.steering.forms import ReachForm
from tremplin.steering.menu import menu
from tremplin.steering.scope import scope_for


def steering_page(view):
    """A GET page for those who may steer; the view receives the viewer's `scope`."""

    @require_GET
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return view(request, scope_for(request.user), *args, **kwargs)

    return wrapper


def render_page(request, template, scope, **context):
    """A steering page: its template (extending steering/base.html) with the scope and the side menu."""
    return render(request, template, {"scope": scope, "steering_menu": menu(request), **context})


@steering_page
def index(request, scope):
    return render_page(request, "steering/index.html", scope)


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
    if scheme:
        figures = reach.reach(scheme, scope)
        highest, lowest = reach.highest_and_lowest(figures.rows, measure)
        context.update(
            figures=figures,
            map=tilemap.tile_map(figures.rows, measure),
            highest=highest,
            lowest=lowest,
            high_rate=highest and highest.rate_of(measure),
            low_rate=lowest and lowest.rate_of(measure),
            national_rate=figures.total.rate_of(measure),
        )
    return render_page(request, "steering/reach.html", scope, **context)
