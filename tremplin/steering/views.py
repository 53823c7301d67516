"""Steering pages: thin views over the figures of this app's modules, always within the viewer's scope."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tremplin.steering import state_aid
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
    return render_page(
        request,
        "steering/state_aid_register.html",
        scope,
        summary=state_aid.summary(),
        latest=state_aid.latest(),
        grantor=state_aid.grantor(),
        columns=state_aid.COLUMNS,
        computed_at=timezone.localtime(),
    )
