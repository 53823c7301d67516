from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from tremplin.accounts import services, throttle
from tremplin.accounts.models import User
from tremplin.core import ratelimits
from tremplin.core.forms import DsfrForm
from tremplin.core.models import NotificationFrequency
from tremplin.core.notifications import send_email


def _email_field(**kwargs):
    return forms.EmailField(
        label=_("Adresse électronique"),
        help_text=_("Format attendu : nom@domaine.fr"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": _("Indiquez votre adresse électronique."),
            "invalid": _("Indiquez une adresse électronique valide, par exemple nom@domaine.fr."),
        },
        **kwargs,
    )


class SignupForm(DsfrForm):
    first_name = forms.CharField(
        label=_("Prénom"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"required": _("Indiquez votre prénom.")},
    )
    last_name = forms.CharField(
        label=_("Nom"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        error_messages={"required": _("Indiquez votre nom.")},
    )
    email = _email_field()
    password = forms.CharField(
        label=_("Mot de passe"),
        help_text=_("Au moins 10 caractères. Évitez un mot de passe trop courant ou proche de votre nom."),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Choisissez un mot de passe.")},
    )

    def clean_email(self):
        # A taken address is not refused here: the page would tell who has an account
        # (services.register_owner answers it by email).
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        data = super().clean()
        password = data.get("password")
        if password:
            candidate = User(
                email=data.get("email", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data


class LoginDelayMixin:
    """Refuse at once, without trying the password, while the account's login delay runs."""

    def clean(self):
        username = self.cleaned_data.get("username")
        wait = throttle.retry_after(username) if username else 0
        if wait:
            raise forms.ValidationError(
                _("Trop d'essais de connexion pour ce compte. Réessayez dans %(delay)s.")
                % {"delay": ratelimits.delay(wait)},
                code="delayed",
            )
        return super().clean()


class AdminLoginForm(LoginDelayMixin, AdminAuthenticationForm):
    """The admin's own sign-in page meets the same delay."""


class LoginForm(LoginDelayMixin, AuthenticationForm, DsfrForm):
    """Email + password. django-axes counts the failures (field name stays `username`)."""

    username = forms.EmailField(
        label=_("Adresse électronique"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": _("Indiquez votre adresse électronique."),
            "invalid": _("Indiquez une adresse électronique valide, par exemple nom@domaine.fr."),
        },
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Indiquez votre mot de passe.")},
    )

    error_messages = {
        "invalid_login": _(
            "Adresse électronique ou mot de passe incorrect. Vérifiez les deux, "
            "ou choisissez « Mot de passe oublié »."
        ),
        "inactive": _("Ce compte est désactivé. Écrivez-nous si vous pensez que c'est une erreur."),
        "email_not_verified": _(
            "Votre adresse électronique n'est pas encore vérifiée. Ouvrez le lien que nous vous avons "
            "envoyé par courriel (regardez aussi dans les courriers indésirables), ou demandez un nouveau lien."
        ),
    }

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.email_verified:
            raise forms.ValidationError(self.error_messages["email_not_verified"], code="email_not_verified")


class ResendVerificationForm(DsfrForm):
    email = _email_field()


class ResetRequestForm(PasswordResetForm, DsfrForm):
    email = _email_field()

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """Through the task queue, like every email of the platform: the page answers at once."""
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, {**context, "site_root": settings.SITE_ROOT})
        send_email.enqueue(to=to_email, subject=subject, body=body)


class NewPasswordForm(SetPasswordForm, DsfrForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("Nouveau mot de passe")
        self.fields["new_password1"].help_text = _(
            "Au moins 10 caractères. Évitez un mot de passe trop courant ou proche de votre nom."
        )
        self.fields["new_password2"].label = _("Confirmez le nouveau mot de passe")

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            services.verify_by_password_reset(user)
        return user


class NotificationPreferenceForm(DsfrForm):
    frequency = forms.ChoiceField(
        label=_("Comment voulez-vous recevoir nos courriels ?"),
        help_text=_(
            "Par exemple : une nouvelle demande sur votre territoire, un rappel, un devis reçu. "
            "Un résumé regroupe tous ces courriels en un seul."
        ),
        choices=NotificationFrequency.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez comment recevoir vos courriels."),
            "invalid_choice": _("Choisissez une des possibilités de la liste."),
        },
    )
