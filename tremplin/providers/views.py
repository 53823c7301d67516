"""Provider pages: public directory, sign-up, provider space, accreditation, quotes, reviews. Thin views."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from tremplin.accounts.models import Role
from tremplin.accounts.views import SESSION_SIGNUP_EMAIL
from tremplin.core.errors import PermissionDenied, ServiceError
from tremplin.core.exports import export_response
from tremplin.core.web import document_response, require_role
from tremplin.payments.models import PaymentLine
from tremplin.providers import accreditation, exports, forms, quotes, reviews
from tremplin.providers.access import (
    get_document_for_user,
    get_own_application,
    get_own_quote_request,
    get_quote_for_user,
    is_member,
    provider_of,
    quotes_for,
)
from tremplin.providers.models import Offer, Provider, Quote, QuoteRequest, Review, Status
from tremplin.providers.offers import delete_offer, save_offer
from tremplin.providers.quality import quality_signals
from tremplin.providers.search import CappedPaginator, Filters, offer_lines
from tremplin.providers.search import directory as search_directory
from tremplin.providers.signup import add_member, prefill, sign_up, update_profile
from tremplin.providers.workflow import (
    ACCREDITATION_WORKFLOW,
    LOST_STATES,
    MEMBER,
    OPEN_REQUEST_STATES,
    QUOTE_REQUEST_WORKFLOW,
    QUOTE_WORKFLOW,
    REASON_REQUIRED,
    REVIEW_WORKFLOW,
    TO_DECIDE_STATES,
)
from tremplin.registry.models import Departement
from tremplin.vouchers import services as vouchers
from tremplin.vouchers.access import applications_for, get_application_for_user
from tremplin.vouchers.models import FINISHED_STATES
from tremplin.vouchers.models import State as FileState

PAGE_SIZE = 20


def _my_provider(request):
    provider = provider_of(request.user)
    if provider is None:
        raise DjangoPermissionDenied(gettext("Cette page est réservée aux prestataires."))
    return provider


def _call(form, fn, *args, **kwargs):
    """Run a service; its refusal lands on the form's field. Returns (result, ok)."""
    try:
        return fn(*args, **kwargs), True
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from None
    except ServiceError as exc:
        form.add_service_error(exc)
        return None, False


def _act(request, fn, *args, **kwargs):
    """Run a service behind a button (no form): its refusal is shown as a message. Returns ok."""
    try:
        fn(*args, **kwargs)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from None
    except ServiceError as exc:
        messages.error(request, gettext(exc.message))
        return False
    return True


# --- public directory -----------------------------------------------------------------------------


def _directory_filters(request):
    departements = [(d.code, str(d)) for d in Departement.objects.order_by("code")]
    form = forms.DirectoryForm(request.GET or None, departements=departements)
    filters = Filters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = Filters(
            q=data["q"],
            category=data["category"],
            departement=data["departement"],
            max_price_cents=data["max_price"],
            min_rating=data["min_rating"],
        )
    return form, filters


@login_not_required
@require_safe
def directory(request):
    form, filters = _directory_filters(request)
    page = CappedPaginator(search_directory(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    offer_lines(page.object_list, filters.category)
    return render(
        request,
        "providers/directory.html",
        {"form": form, "page_obj": page, "filters": filters},
    )


@login_not_required
@require_GET
def directory_export(request, fmt):
    """Every provider the search finds (not only the first thousand the page counts)."""
    _form, filters = _directory_filters(request)
    columns = exports.directory_columns(request.build_absolute_uri)
    return export_response(fmt, search_directory(filters), columns, "prestataires", gettext("Prestataires"))


def _shown_reviews(user, pk):
    """The provider of the page and the reviews it shows: all of them to the programme's staff and to
    the provider's members, the published ones to everyone else. A 404 for a provider out of the
    directory, except to them."""
    provider = get_object_or_404(Provider.objects.select_related("departement"), pk=pk)
    staff = user.is_authenticated and user.role in (Role.MANAGER, Role.AUDITOR, Role.ADVISOR)
    member = is_member(user, provider)
    if not provider.accredited and not (staff or member):
        raise Http404(gettext("Ce prestataire n'est pas dans l'annuaire."))
    shown = (
        provider.reviews.all() if (staff or member) else provider.reviews.filter(state=Review.State.PUBLISHED)
    )
    return provider, shown, staff, member


@login_not_required
@require_safe
def detail(request, pk):
    user = request.user
    provider, shown, staff, member = _shown_reviews(user, pk)
    offers = provider.offers.prefetch_related(
        Prefetch("departements", queryset=Departement.objects.order_by("code"))
    )
    shown = list(shown)
    for review in shown:
        review.moderations = REVIEW_WORKFLOW.allowed(user, review)
    context = {
        "provider": provider,
        "offers": offers,
        "reviews": shown,
        "is_member": member,
        "is_staff_view": staff,
        "badge_class": ACCREDITATION_WORKFLOW.badge(provider.shown_status),
        "answer_form": forms.AnswerForm(),
        "moderate_form": forms.ReasonForm(),
    }
    if staff:
        context["signals"] = quality_signals(provider)
        context["checks"] = accreditation.evaluate(provider)
        context["documents"] = provider.documents.all()
        context["actions"] = [
            (t.name, t.button, t.name in REASON_REQUIRED)
            for t in ACCREDITATION_WORKFLOW.allowed(user, provider)
            if t.button
        ]
        context["reason_form"] = forms.ReasonForm()
    return render(request, "providers/detail.html", context)


@login_not_required
@require_GET
def reviews_export(request, pk, fmt):
    provider, shown, staff, member = _shown_reviews(request.user, pk)
    columns = exports.review_columns(with_state=staff or member)
    return export_response(
        fmt, shown.order_by("-created_at", "-pk"), columns, f"avis-{provider.siret}", gettext("Avis")
    )


# --- sign-up --------------------------------------------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("core:dashboard")
    form = forms.SignupForm(request.POST or None)
    known = None
    if request.method == "POST":
        if request.POST.get("_action") == "lookup":
            # Only the SIRET is looked up: show what the registry knows, ask for the rest.
            form = forms.SignupForm(initial=request.POST.dict())
            siret = request.POST.get("siret", "")
            known = prefill(siret)
            if known:
                form.initial["name"] = known["name"]
        elif form.is_valid():
            data = form.cleaned_data
            _result, ok = _call(
                form,
                sign_up,
                siret=data["siret"],
                name=data["name"],
                email=data["email"],
                password=data["password"],
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
            if ok:
                request.session[SESSION_SIGNUP_EMAIL] = data["email"]
                return redirect("accounts:signup_done")
    return render(request, "providers/signup.html", {"form": form, "known": known})


# --- provider space -------------------------------------------------------------------------------


@require_GET
def dashboard(request):
    provider = _my_provider(request)
    today = timezone.localdate()
    files = (
        applications_for(request.user)
        .exclude(state__in=FINISHED_STATES)
        .order_by("-submitted_at", "-id")[:50]
    )
    payments = (
        PaymentLine.objects.filter(application__provider=provider)
        .select_related("application", "batch")
        .order_by("-id")[:20]
    )
    paid = applications_for(request.user).filter(state=FileState.PAID).order_by("-updated_at")[:20]
    return render(
        request,
        "providers/dashboard.html",
        {
            "provider": provider,
            "badge_class": ACCREDITATION_WORKFLOW.badge(provider.shown_status),
            "checks": accreditation.evaluate(provider, today),
            "documents": provider.documents.all(),
            "to_answer": quotes_for(request.user)
            .filter(
                state__in=QUOTE_WORKFLOW["answer_quote"].sources,
                request__state__in=OPEN_REQUEST_STATES,
            )
            .select_related("request__application__company"),
            "files": files,
            "paid": paid,
            "payments": payments,
            "lost_accreditation": provider.status in LOST_STATES,
            "member_actions": [t for t in ACCREDITATION_WORKFLOW.allowed(request.user, provider) if t.button],
            "document_form": forms.DocumentForm(),
            "today": today,
        },
    )


@require_http_methods(["GET", "POST"])
def profile(request):
    provider = _my_provider(request)
    initial = {
        "description": provider.description,
        "website": provider.website,
        "email": provider.email,
        "phone": provider.phone,
        "trading_since": provider.trading_since,
        "similar_turnover": (
            f"{provider.similar_turnover_cents / 100:.2f}".replace(".", ",")
            if provider.similar_turnover_cents is not None
            else ""
        ),
        "iban": provider.iban,
        "bic": provider.bic,
    }
    form = forms.ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        _result, ok = _call(form, update_profile, request.user, provider, **form.values())
        if ok:
            messages.success(request, gettext("Votre profil est enregistré."))
            return redirect("providers:dashboard")
    return render(request, "providers/profile.html", {"form": form, "provider": provider})


@require_http_methods(["GET", "POST"])
def members(request):
    provider = _my_provider(request)
    form = forms.MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _result, ok = _call(
            form,
            add_member,
            request.user,
            provider,
            data["email"],
            data["first_name"],
            data["last_name"],
        )
        if ok:
            messages.success(
                request,
                gettext("Votre collègue est ajouté : il reçoit un courriel pour choisir son mot de passe."),
            )
            return redirect("providers:members")
    return render(
        request,
        "providers/members.html",
        {"form": form, "provider": provider, "team": provider.members.order_by("last_name", "email")},
    )


@require_POST
def upload_document(request):
    provider = _my_provider(request)
    form = forms.DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        _result, ok = _call(
            form,
            accreditation.upload_document,
            request.user,
            provider,
            data["kind"],
            data["file"],
            data["expires_on"],
            data["label"],
        )
        if ok:
            messages.success(request, gettext("Le document est enregistré."))
            return redirect("providers:dashboard")
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("providers:dashboard")


def document_file(request, pk):
    """A provider's document: its members, managers and auditors only."""
    document = get_document_for_user(request.user, pk)
    return document_response(document.file, f"{document.kind}-{document.provider.siren}.pdf")


# --- accreditation (managers; members ask again) ---------------------------------------------------


def _accreditations(request):
    status = request.GET.get("status") or ""
    qs = Provider.objects.select_related("departement").order_by("status_changed_at", "id")
    if status in Status.values:
        qs = qs.filter(status=status)
    else:
        qs = qs.filter(status__in=TO_DECIDE_STATES)
    return qs, status


@require_GET
def accreditations(request):
    require_role(request.user, Role.MANAGER, Role.AUDITOR)
    qs, status = _accreditations(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for provider in page.object_list:
        provider.badge_class = ACCREDITATION_WORKFLOW.badge(provider.shown_status)
    return render(
        request,
        "providers/accreditations.html",
        {"page_obj": page, "statuses": Status.choices, "status": status},
    )


@require_GET
def accreditations_export(request, fmt):
    require_role(request.user, Role.MANAGER, Role.AUDITOR)
    qs, _status = _accreditations(request)
    return export_response(fmt, qs, exports.ACCREDITATION_COLUMNS, "habilitations", gettext("Habilitations"))


@require_POST
def accreditation_act(request, pk, action):
    # Only the transitions offered on a page (a button); the expiry is the daily job's.
    if action not in ACCREDITATION_WORKFLOW.transitions or not ACCREDITATION_WORKFLOW[action].button:
        raise Http404(gettext("Action inconnue."))
    provider = get_object_or_404(Provider, pk=pk)
    form = forms.ReasonForm(request.POST)
    form.is_valid()
    if _act(request, accreditation.act, request.user, provider, action, form.cleaned_data.get("reason", "")):
        messages.success(request, ACCREDITATION_WORKFLOW[action].success)
    if MEMBER in ACCREDITATION_WORKFLOW[action].who:
        return redirect("providers:dashboard")
    return redirect("providers:detail", pk=provider.pk)


# --- offers ---------------------------------------------------------------------------------------


@require_GET
def offers(request):
    provider = _my_provider(request)
    items = provider.offers.prefetch_related(
        Prefetch("departements", queryset=Departement.objects.order_by("code"))
    )
    return render(request, "providers/offers.html", {"provider": provider, "offers": items})


@require_http_methods(["GET", "POST"])
def offer_edit(request, pk=None):
    provider = _my_provider(request)
    offer = get_object_or_404(Offer, pk=pk, provider=provider) if pk else None
    initial = {}
    if offer is not None:
        initial = {
            "category": offer.category,
            "title": offer.title,
            "description": offer.description,
            "price_min": f"{offer.price_min_cents / 100:.2f}".replace(".", ","),
            "price_max": f"{offer.price_max_cents / 100:.2f}".replace(".", ","),
            "delivery_days": offer.delivery_days,
            "reversibility": offer.reversibility,
            "departements": list(offer.departements.values_list("code", flat=True)),
        }
    form = forms.OfferForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        _result, ok = _call(form, save_offer, request.user, provider, offer, **form.values())
        if ok:
            messages.success(request, gettext("L'offre est enregistrée."))
            return redirect("providers:offers")
    return render(request, "providers/offer_form.html", {"form": form, "offer": offer})


@require_POST
def offer_delete(request, pk):
    provider = _my_provider(request)
    offer = get_object_or_404(Offer, pk=pk, provider=provider)
    delete_offer(request.user, offer)
    messages.success(request, gettext("L'offre est supprimée."))
    return redirect("providers:offers")


# --- quotes ---------------------------------------------------------------------------------------


def _offered(workflow, user, obj, name):
    """Transition `name` when `user` may take it on `obj` now (its button is shown), else None."""
    return next((t for t in workflow.allowed(user, obj) if t.name == name), None)


PICKER_SIZE = 20


def _found_providers(request, application, with_offers=True):
    """The filter form of a draft's providers and the page of accredited providers it finds (with
    their offers' lines when `with_offers`)."""
    departements = [(d.code, str(d)) for d in Departement.objects.order_by("code")]
    form = forms.ProviderFilterForm(request.GET, application=application, departements=departements)
    filters = form.filters()
    page = CappedPaginator(search_directory(filters), PICKER_SIZE).get_page(request.GET.get("page"))
    if with_offers:
        offer_lines(page.object_list, filters.category)
    return form, filters, page


@require_http_methods(["GET", "POST"])
def pick_provider(request, application_pk):
    """The owner chooses her draft's provider among the accredited ones, filtered on the server."""
    require_role(request.user, Role.OWNER)
    application = get_own_application(request.user, application_pk)
    if application.state != FileState.DRAFT:
        messages.info(request, gettext("Cette demande est déjà déposée : elle ne peut plus être modifiée."))
        return redirect("vouchers:detail", pk=application.pk)
    choice = forms.ProviderChoiceForm(request.POST or None)
    if request.method == "POST" and choice.is_valid():
        provider = choice.cleaned_data["provider"]
        _result, ok = _call(choice, vouchers.update_draft, request.user, application, provider=provider)
        if ok:
            messages.success(request, gettext("Prestataire choisi : %(name)s.") % {"name": provider.name})
            # Back where she left the draft: the keyboard's next Tab goes on from the provider.
            return redirect(reverse("vouchers:edit", args=[application.pk]) + "#prestataire")
    form, filters, page = _found_providers(request, application)
    return render(
        request,
        "providers/pick_provider.html",
        {
            "application": application,
            "form": form,
            "filters": filters,
            "page_obj": page,
            "choice": choice,
            "query": request.GET.urlencode(),
        },
        status=400 if choice.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def application_quotes(request, application_pk):
    """The quotes of one file: the owner asks and chooses; advisors see them with price flags."""
    user = request.user
    if user.role == Role.PROVIDER:
        raise Http404(gettext("Dossier introuvable."))
    application = (
        get_own_application(user, application_pk)
        if user.role == Role.OWNER
        else get_application_for_user(user, application_pk)
    )
    is_owner = application.owner_id == user.pk
    form = filter_form = found = None
    if is_owner and application.state == FileState.DRAFT:
        filter_form, _filters, found = _found_providers(request, application, with_offers=False)
        form = forms.QuoteRequestForm(
            request.POST or None,
            scheme=application.scheme,
            providers=Provider.objects.filter(pk__in=[p.pk for p in found.object_list]),
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            _result, ok = _call(
                form,
                quotes.request_quotes,
                user,
                application,
                list(data["providers"]),
                data["category"],
                data["description"],
            )
            if ok:
                messages.success(
                    request, gettext("Votre demande de devis est envoyée aux prestataires choisis.")
                )
                return redirect("providers:application_quotes", application_pk=application.pk)
    elif request.method == "POST":
        raise DjangoPermissionDenied(gettext("Vous ne pouvez pas demander de devis pour ce dossier."))
    requests = list(
        application.quote_requests.order_by("-created_at").prefetch_related(
            Prefetch("quotes", queryset=Quote.objects.select_related("provider").order_by("id"))
        )
    )
    # The owner's buttons, as the workflows allow them (`quote.request` is the request already read).
    for quote_request in requests:
        quote_request.cancel = _offered(QUOTE_REQUEST_WORKFLOW, user, quote_request, "cancel_quotes")
        for quote in quote_request.quotes.all():
            quote.request = quote_request
            quote.choose = _offered(QUOTE_WORKFLOW, user, quote, "choose_quote") or (
                # Back to an answer not retained: only on a draft, a request closed by a choice.
                application.state == FileState.DRAFT
                and quote_request.state == QuoteRequest.State.CLOSED
                and quote.answered_at is not None
                and _offered(QUOTE_WORKFLOW, user, quote, "choose_again")
            )
    return render(
        request,
        "providers/application_quotes.html",
        {
            "application": application,
            "requests": requests,
            "form": form,
            "filter_form": filter_form,
            "found": found,
            "query": request.GET.urlencode(),
            "is_owner": is_owner,
            "show_flags": user.role in (Role.ADVISOR, Role.MANAGER, Role.AUDITOR),
        },
    )


@require_POST
def quote_request_cancel(request, pk):
    """The owner cancels an open quote request: the providers can no longer answer it."""
    quote_request = get_own_quote_request(request.user, pk)
    if _act(request, quotes.cancel_request, request.user, quote_request):
        messages.success(request, QUOTE_REQUEST_WORKFLOW["cancel_quotes"].success)
    return redirect("providers:application_quotes", application_pk=quote_request.application_id)


@require_POST
def quote_choose(request, pk):
    quote = get_quote_for_user(request.user, pk)
    again = quote.state == Quote.State.NOT_CHOSEN
    if _act(request, quotes.choose_quote, request.user, quote):
        messages.success(request, QUOTE_WORKFLOW["choose_again" if again else "choose_quote"].success)
        return redirect("vouchers:edit", pk=quote.request.application_id)
    return redirect("providers:application_quotes", application_pk=quote.request.application_id)


@require_http_methods(["GET", "POST"])
def quote_answer(request, pk):
    provider = _my_provider(request)
    quote = get_quote_for_user(request.user, pk)
    form = forms.QuoteAnswerForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if request.POST.get("_action") == "decline":
            form = forms.QuoteAnswerForm()
            _result, ok = _call(
                form, quotes.decline_quote, request.user, quote, request.POST.get("message", "")
            )
            if ok:
                messages.success(request, QUOTE_WORKFLOW["decline_quote"].success)
                return redirect("providers:dashboard")
        elif form.is_valid():
            data = form.cleaned_data
            _result, ok = _call(
                form,
                quotes.answer_quote,
                request.user,
                quote,
                amount_cents=data["amount"],
                category=data["category"],
                file=data["file"],
                message=data["message"],
            )
            if ok:
                messages.success(request, QUOTE_WORKFLOW["answer_quote"].success)
                return redirect("providers:dashboard")
    return render(
        request,
        "providers/quote_answer.html",
        {
            "quote": quote,
            "client": quote.request.application.company.display_name,
            "place": quotes.client_place(quote.request.application),
            "form": form,
            "provider": provider,
            # The form's two buttons, each when the workflow allows it.
            "answer_quote": _offered(QUOTE_WORKFLOW, request.user, quote, "answer_quote"),
            "decline_quote": _offered(QUOTE_WORKFLOW, request.user, quote, "decline_quote"),
        },
        status=200 if not form.errors else 400,
    )


def quote_file(request, pk):
    quote = get_quote_for_user(request.user, pk)
    if not quote.file:
        raise Http404(gettext("Ce devis n'a pas encore été envoyé."))
    return document_response(quote.file, f"devis-{quote.provider.siren}-{quote.pk}.pdf")


# --- reviews --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def review_new(request, application_pk):
    require_role(request.user, Role.OWNER)
    application = get_own_application(request.user, application_pk)
    form = forms.ReviewForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        _result, ok = _call(form, reviews.post_review, request.user, application, **form.cleaned_data)
        if ok:
            messages.success(request, gettext("Merci : votre avis est publié."))
            return redirect("providers:detail", pk=application.provider_id)
        status = 400
    return render(
        request, "providers/review_form.html", {"form": form, "application": application}, status=status
    )


@require_POST
def review_answer(request, pk):
    review = get_object_or_404(Review, pk=pk)
    form = forms.AnswerForm(request.POST)
    if form.is_valid():
        _result, ok = _call(form, reviews.answer_review, request.user, review, form.cleaned_data["answer"])
        if ok:
            messages.success(request, gettext("Votre réponse est publiée."))
            return redirect("providers:detail", pk=review.provider_id)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("providers:detail", pk=review.provider_id)


@require_POST
def review_moderate(request, pk):
    review = get_object_or_404(Review, pk=pk)
    form = forms.ReasonForm(request.POST)
    form.is_valid()
    hide = request.POST.get("_action") != "publish"
    _result, ok = _call(
        form,
        reviews.moderate_review,
        request.user,
        review,
        hide=hide,
        reason=form.cleaned_data.get("reason", ""),
    )
    if ok:
        messages.success(request, REVIEW_WORKFLOW["hide_review" if hide else "publish_review"].success)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("providers:detail", pk=review.provider_id)
