"""Every change to an account: sign-up, email verification. One transaction and one audit event each."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from tremplin.accounts.models import IdentityProviderLink, Role, User
from tremplin.accounts.proconnect import ProConnectError
from tremplin.core import audit
from tremplin.core.errors import Conflict, ServiceError
from tremplin.core.notifications import notify

VERIFY_SALT = "tremplin.accounts.verify-email"
VERIFY_MAX_AGE = timedelta(days=3)


def verification_token(user):
    return signing.TimestampSigner(salt=VERIFY_SALT).sign(str(user.pk))


def send_verification(user):
    """Queue the email with the verification link (valid 3 days)."""
    url = settings.SITE_ROOT.rstrip("/") + reverse("accounts:verify", args=[verification_token(user)])
    notify(
        user,
        "Tremplin Numérique : confirmez votre adresse électronique",
        "accounts/emails/verify_email.txt",
        verify_url=url,
        valid_days=VERIFY_MAX_AGE.days,
        legal=True,
    )


def register_owner(email, password, first_name, last_name):
    """Create a business owner's account; it can log in once its email address is verified.

    An address that already has an account is answered like a new one (the page must not tell who has
    an account): nothing is created and the address's owner is told by email. Returns the new account,
    or None for a taken address.
    """
    email = User.objects.normalize_email(email or "").strip().lower()
    if tell_the_owner_of_a_taken_address(email):
        return None
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email,
                password,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                role=Role.OWNER,
                email_verified=False,
            )
            audit.record(user, actor=user, action="register", to_state="unverified", role=Role.OWNER)
            send_verification(user)
    except IntegrityError:
        # Two sign-ups with the same address at the same moment: the unique index decides.
        tell_the_owner_of_a_taken_address(email)
        return None
    return user


def tell_the_owner_of_a_taken_address(email):
    """If `email` has an account, email its owner instead of creating one, and return True.

    An account not yet verified gets a new verification link; a verified one the way to log in or reset
    the password. Either way the sign-up page answers as for a new address.
    """
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return False
    with transaction.atomic():
        audit.record(user, actor=None, action="signup_with_taken_address", verified=user.email_verified)
        if not user.email_verified and user.is_active:
            send_verification(user)
        else:
            notify(
                user,
                "Tremplin Numérique : vous avez déjà un compte",
                "accounts/emails/account_exists.txt",
                login_url=settings.SITE_ROOT.rstrip("/") + reverse("accounts:login"),
                reset_url=settings.SITE_ROOT.rstrip("/") + reverse("accounts:password_reset"),
                legal=True,
            )
    return True


def resend_verification(email):
    """Send a new link if an unverified account has this address; say nothing either way."""
    user = User.objects.filter(
        email__iexact=(email or "").strip(), email_verified=False, is_active=True
    ).first()
    if user is not None:
        send_verification(user)


def verify_email(token):
    """Mark the address of the token's account as verified and return the account."""
    try:
        pk = signing.TimestampSigner(salt=VERIFY_SALT).unsign(token, max_age=VERIFY_MAX_AGE)
    except signing.SignatureExpired:
        raise ServiceError(
            "token_expired",
            gettext_noop("Ce lien a expiré : il est valable 3 jours. Demandez un nouveau lien ci-dessous."),
        ) from None
    except signing.BadSignature:
        raise ServiceError(
            "token_invalid",
            gettext_noop(
                "Ce lien n'est pas valide. Copiez bien le lien complet reçu par courriel, ou demandez un nouveau lien."
            ),
        ) from None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=pk, is_active=True).first()
        if user is None:
            raise ServiceError(
                "token_invalid",
                gettext_noop("Ce lien ne correspond à aucun compte. Créez un compte pour continuer."),
            )
        if user.email_verified:
            raise Conflict(
                "already_verified",
                gettext_noop("Votre adresse électronique est déjà vérifiée : connectez-vous."),
            )
        _mark_verified(user, actor=user, action="verify_email")
    return user


def verify_by_password_reset(user):
    """A completed password reset proves the address too: an owner who lost the first link is not stuck."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.email_verified:
            _mark_verified(user, actor=user, action="verify_email_by_password_reset")
    return user


def _mark_verified(user, actor, action):
    user.email_verified = True
    user.save(update_fields=["email_verified"])
    audit.record(user, actor=actor, action=action, from_state="unverified", to_state="verified")


def proconnect_sign_in(identity):
    """The agent account ProConnect's `identity` (accounts.proconnect.Identity) signs in to.

    A known `sub` finds its account. An unknown one is linked, once, to the active account with the same
    email if its role may use ProConnect (settings.PROCONNECT_ROLES); its holder is told by email. Nothing
    else is created: ProConnect authenticates, the platform decides who is an agent and of what role."""
    provider = IdentityProviderLink.PROCONNECT
    with transaction.atomic():
        link = (
            IdentityProviderLink.objects.select_for_update()
            .select_related("user")
            .filter(provider=provider, subject=identity.sub)
            .first()
        )
        if link is None:
            user = User.objects.filter(email__iexact=identity.email).first()
            if user is None or not user.is_active or user.role not in settings.PROCONNECT_ROLES:
                raise ProConnectError(
                    "no_account",
                    gettext_noop(
                        "Aucun compte d'agent n'est ouvert à cette adresse sur Tremplin Numérique. "
                        "Demandez à la personne qui gère les accès de votre organisation de vous en ouvrir un."
                    ),
                )
            if IdentityProviderLink.objects.filter(provider=provider, user=user).exists():
                raise ProConnectError(
                    "linked_elsewhere",
                    gettext_noop(
                        "Ce compte est déjà relié à une autre identité ProConnect. "
                        "Prévenez l'équipe du programme."
                    ),
                )
            link = IdentityProviderLink.objects.create(provider=provider, subject=identity.sub, user=user)
            audit.record(user, actor=user, action="proconnect_linked", siret=identity.siret)
            notify(
                user,
                "Tremplin Numérique : votre compte est relié à ProConnect",
                "accounts/emails/proconnect_linked.txt",
                legal=True,
            )
        user = link.user
        if not user.is_active or user.role not in settings.PROCONNECT_ROLES:
            raise ProConnectError(
                "not_an_agent",
                gettext_noop(
                    "Ce compte n'est plus un compte d'agent : la connexion par ProConnect est fermée."
                ),
            )
        link.last_used_at = timezone.now()
        link.save(update_fields=["last_used_at"])
        if not user.email_verified:
            user.email_verified = True
            user.save(update_fields=["email_verified"])
        audit.record(user, actor=user, action="proconnect_sign_in", acr=identity.acr)
    return user
