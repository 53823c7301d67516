"""Steering pages: thin views over the figures of this app's modules, always within the viewer's scope."""

from functools import wraps

from django.shortcuts import render
from django.views.decorators.http import require_GET

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
