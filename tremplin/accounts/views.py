from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tremplin.accounts import proconnect, services
from tremplin.accounts.forms import (
    LoginForm,
    NewPasswordForm,
    NotificationPreferenceForm,
    ResendVerificationForm,
    ResetRequestForm,
    SignupForm,
)
from tremplin.core import notifications as notices
from tremplin.core import ratelimits
from tremplin.core.errors import Conflict, ServiceError
from tremplin.core.models import Notification
from tremplin.core.notifications import set_frequency

SESSION_SIGNUP_EMAIL = "signup_email"


@login_not_required
def signup(request):
    if request.user.is_authenticated:
        return redirect("core:dashboard")
    form = SignupForm(request.POST if request.method == "POST" else None)
    wait = ratelimits.exceeded(request, "signup_ip") if request.method == "POST" else 0
    if wait:
        form.is_valid()
        ratelimits.too_many(form, wait)
        return render(request, "accounts/signup.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.register_owner(data["email"], data["password"], data["first_name"], data["last_name"])
        except ServiceError as error:
            form.add_service_error(error)
        else:
            request.session[SESSION_SIGNUP_EMAIL] = data["email"]
            return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form})


@login_not_required
@require_GET
def signup_done(request):
    return render(
        request, "accounts/signup_done.html", {"email": request.session.get(SESSION_SIGNUP_EMAIL, "")}
    )


@login_not_required
@require_GET
def verify(request, token):
    try:
        user = services.verify_email(token)
    except Conflict as error:
        messages.info(request, _(error.message))
        return redirect("accounts:login")
    except ServiceError as error:
        context = {"error": _(error.message), "form": ResendVerificationForm()}
        return render(request, "accounts/verify_failed.html", context, status=400)
    # Several backends are configured (axes first): name the one that holds the account.
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session.pop(SESSION_SIGNUP_EMAIL, None)
    messages.success(
        request, _("Votre adresse électronique est vérifiée. Bienvenue sur Tremplin Numérique !")
    )
    return redirect("core:dashboard")


@login_not_required
def resend_verification(request):
    form = ResendVerificationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.resend_verification(form.cleaned_data["email"])
        messages.info(
            request,
            _(
                "Si un compte en attente de vérification existe pour cette adresse, nous venons de lui envoyer "
                "un nouveau lien. Il est valable 3 jours."
            ),
        )
        return redirect("accounts:login")
    return render(request, "accounts/resend_verification.html", {"form": form})


@require_http_methods(["GET", "POST"])
def notifications(request):
    form = NotificationPreferenceForm(
        request.POST if request.method == "POST" else None,
        initial={"frequency": request.user.notification_frequency},
    )
    if request.method == "POST" and form.is_valid():
        try:
            set_frequency(request.user, form.cleaned_data["frequency"])
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Votre choix est enregistré."))
            return redirect("accounts:notifications")
    return render(request, "accounts/notifications.html", {"form": form})


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(proconnect_enabled=proconnect.enabled(), **kwargs)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "delayed"):
            response.status_code = 429
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        id_token = request.session.get(proconnect.ID_TOKEN_SESSION_KEY)
        response = super().post(request, *args, **kwargs)
        # Signed in with ProConnect: out of ProConnect too (its end of session comes back to logout_done).
        end_of_session = proconnect.logout_url(request, id_token) if id_token and proconnect.enabled() else ""
        if end_of_session:
            return redirect(end_of_session)
        messages.info(request, _("Vous êtes déconnecté. À bientôt !"))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ResetRequestForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/emails/password_reset.txt"
    subject_template_name = "accounts/emails/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        """At most a few requests an hour from one address, and a few emails to one address."""
        wait = ratelimits.exceeded(self.request, "password_reset_ip") or ratelimits.exceeded(
            self.request, "password_reset_email", form.cleaned_data["email"]
        )
        if wait:
            ratelimits.too_many(form, wait)
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


INBOX_PAGE_SIZE = 20


def inbox(request):
    """The list behind the bell: the person's notifications, newest first."""
    page_obj = Paginator(
        Notification.objects.filter(user=request.user).order_by("-created_at", "-id"), INBOX_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(request, "accounts/inbox.html", {"page_obj": page_obj})


def open_notification(request, pk):
    try:
        notification = notices.open_notification(request.user, pk)
    except Notification.DoesNotExist:
        raise Http404(_("Cette notification n'existe pas.")) from None
    if notification.link and url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None):
        return redirect(notification.link)  # a path of the site, never another host
    return redirect("accounts:inbox")


@require_POST
def mark_all_read(request):
    notices.mark_all_read(request.user)
    messages.success(request, _("Toutes vos notifications sont marquées comme lues."))
    return redirect("accounts:inbox")
