"""Payment pages for programme managers: prepare SEPA batches, download them, record the payment."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from tremplin.accounts.models import Role
from tremplin.core.errors import PermissionDenied, ServiceError
from tremplin.core.exports import export_response
from tremplin.core.web import require_role, status_for
from tremplin.payments import exports, services
from tremplin.payments.access import batches_for, get_batch_for_user
from tremplin.payments.forms import CancelBatchForm, CreateBatchForm, MarkPaidForm
from tremplin.payments.workflow import CANCEL, MARK_PAID, REGENERATE, WORKFLOW
from tremplin.schemes.models import Scheme
from tremplin.vouchers.models import Application, State

PAGE_SIZE = 20


def _require(user, *roles):
    require_role(user, *roles, message=gettext("Cette page est réservée aux gestionnaires du programme."))


def _batches(user):
    return batches_for(user).annotate(line_count=Count("lines")).order_by("-created_at", "-id")


def batches(request):
    _require(request.user, Role.MANAGER, Role.AUDITOR)
    waiting = (
        Application.objects.filter(state=State.CLAIM_APPROVED, payment_line__isnull=True)
        .values("scheme")
        .annotate(files=Count("pk"), total=Sum("claim__payable_cents"))
        .order_by("scheme")
    )
    schemes = Scheme.objects.in_bulk([row["scheme"] for row in waiting])
    pending = [
        {"scheme": schemes[row["scheme"]], "files": row["files"], "total": row["total"]} for row in waiting
    ]
    lotteries = Scheme.objects.filter(allocation=Scheme.Allocation.LOTTERY, lottery_drawn_at__isnull=True)
    page = Paginator(_batches(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for batch in page.object_list:
        batch.badge_class = WORKFLOW.badge(batch.state)
    return render(
        request,
        "payments/batches.html",
        {
            "pending": pending,
            "page_obj": page,
            "lotteries": lotteries,
            "can_act": request.user.role == Role.MANAGER,
        },
    )


def preview(request, scheme_pk):
    """What the batch would hold before the manager creates it (auditors may look, not act)."""
    _require(request.user, Role.MANAGER, Role.AUDITOR)
    scheme = get_object_or_404(Scheme, pk=scheme_pk)
    return render(
        request,
        "payments/preview.html",
        {
            "scheme": scheme,
            "preview": services.preview_batch(scheme),
            "can_act": request.user.role == Role.MANAGER,
        },
    )


@require_POST
def create(request):
    _require(request.user, Role.MANAGER)
    form = CreateBatchForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("payments:batches")
    try:
        batch = services.create_batch(request.user, form.cleaned_data["scheme"])
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from None
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("payments:batches")
    messages.success(
        request,
        gettext("Le lot de virements est prêt. Téléchargez le fichier et transmettez-le à la banque."),
    )
    return redirect("payments:batch", pk=batch.pk)


def _batch(request, pk):
    return get_batch_for_user(request.user, pk)


@require_GET
def batches_export(request, fmt):
    _require(request.user, Role.MANAGER, Role.AUDITOR)
    return export_response(
        fmt, _batches(request.user), exports.BATCH_COLUMNS, "lots-de-virements", gettext("Lots")
    )


def _lines(batch):
    return batch.lines.select_related("application__company").order_by("pk")


def batch_detail(request, pk, mark_paid_form=None, cancel_form=None, status=200):
    _require(request.user, Role.MANAGER, Role.AUDITOR)
    batch = _batch(request, pk)
    lines = _lines(batch)
    offered = {t.name: t for t in WORKFLOW.allowed(request.user, batch)}
    return render(
        request,
        "payments/batch.html",
        {
            "batch": batch,
            "badge_class": WORKFLOW.badge(batch.state),
            "lines": lines,
            "offered": offered,
            "can_act": bool(offered),
            "mark_paid_form": mark_paid_form or MarkPaidForm(prefix="paid"),
            "cancel_form": cancel_form or CancelBatchForm(prefix="cancel"),
        },
        status=status,
    )


@require_GET
def batch_export(request, pk, fmt):
    """The transfers of one batch, with the IBAN in full as the batch page shows them to its readers."""
    _require(request.user, Role.MANAGER, Role.AUDITOR)
    batch = _batch(request, pk)
    return export_response(
        fmt, _lines(batch), exports.LINE_COLUMNS, f"virements-{batch.message_id}", gettext("Virements")
    )


def sepa(request, pk):
    _require(request.user, Role.MANAGER, Role.AUDITOR)
    batch = _batch(request, pk)
    if not batch.xml:
        messages.error(request, gettext("Le fichier de ce lot n'est pas encore prêt."))
        return redirect("payments:batch", pk=batch.pk)
    response = HttpResponse(bytes(batch.xml), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{batch.filename}"'
    return response


def _run(request, pk, call, success, form=None, form_name=None):
    """Call a batch service; show its refusal on the batch page."""
    _require(request.user, Role.MANAGER)
    batch = _batch(request, pk)
    if form is not None and not form.is_valid():
        return batch_detail(request, pk, **{form_name: form})
    try:
        call(batch)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from None
    except ServiceError as exc:
        if form is not None:
            form.add_service_error(exc)
            return batch_detail(request, pk, **{form_name: form}, status=status_for(exc))
        messages.error(request, exc.message)
        return redirect("payments:batch", pk=batch.pk)
    messages.success(request, success)
    return redirect("payments:batch", pk=batch.pk)


@require_POST
def regenerate(request, pk):
    return _run(
        request,
        pk,
        lambda batch: services.regenerate_xml(request.user, batch),
        WORKFLOW[REGENERATE].success,
    )


@require_POST
def mark_paid(request, pk):
    return _run(
        request,
        pk,
        lambda batch: services.mark_batch_paid(request.user, batch),
        WORKFLOW[MARK_PAID].success,
        form=MarkPaidForm(request.POST, prefix="paid"),
        form_name="mark_paid_form",
    )


@require_POST
def cancel(request, pk):
    form = CancelBatchForm(request.POST, prefix="cancel")
    return _run(
        request,
        pk,
        lambda batch: services.cancel_batch(request.user, batch, form.cleaned_data["reason"]),
        WORKFLOW[CANCEL].success,
        form=form,
        form_name="cancel_form",
    )
