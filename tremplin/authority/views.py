"""The owner's mandates page: the companies they represent, the mandates they gave, those they hold."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from tremplin.accounts.models import Role
from tremplin.authority import services
from tremplin.authority.forms import MandateForm
from tremplin.authority.models import Mandate
from tremplin.core.errors import PermissionDenied, ServiceError
from tremplin.core.web import require_role, status_for


def _page(request, bound=None, status=200):
    companies = []
    for rep in services.companies_represented(request.user):
        form = bound[1] if bound and bound[0] == rep.company_id else MandateForm(prefix=f"c{rep.company_id}")
        companies.append(
            {"company": rep.company, "mandates": services.mandates_of(rep.company), "form": form}
        )
    return render(
        request,
        "authority/mandates.html",
        {"companies": companies, "held": services.mandates_held(request.user)},
        status=status,
    )


@require_http_methods(["GET"])
def mandates(request):
    require_role(request.user, Role.OWNER)
    return _page(request)


@require_POST
def give(request, company_pk):
    require_role(request.user, Role.OWNER)
    rep = services.companies_represented(request.user).filter(company_id=company_pk).first()
    if rep is None:
        raise Http404(gettext("Entreprise introuvable parmi celles que vous représentez."))
    form = MandateForm(request.POST, prefix=f"c{company_pk}")
    if not form.is_valid():
        return _page(request, bound=(company_pk, form), status=400)
    data = {k: v for k, v in form.cleaned_data.items() if k != "confirm"}
    try:
        services.give_mandate(request.user, rep.company, **data)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from None
    except ServiceError as exc:
        form.add_service_error(exc)
        return _page(request, bound=(company_pk, form), status=status_for(exc, invalid=400))
    messages.success(
        request,
        gettext("Le mandat est donné à %(name)s, qui est prévenu(e) par courriel.")
        % {"name": data["holder_name"]},
    )
    return redirect("authority:mandates")


@require_POST
def revoke(request, pk):
    require_role(request.user, Role.OWNER)
    represented = services.companies_represented(request.user).values("company_id")
    mandate = Mandate.objects.filter(pk=pk, company_id__in=represented).select_related("company").first()
    if mandate is None:
        raise Http404(gettext("Mandat introuvable."))
    try:
        services.revoke_mandate(request.user, mandate)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from None
    except ServiceError as exc:
        messages.error(request, gettext(exc.message))
    else:
        messages.success(
            request,
            gettext("Le mandat de %(name)s est retiré : cette personne ne peut plus agir pour l'entreprise.")
            % {"name": mandate.holder_name},
        )
    return redirect("authority:mandates")
