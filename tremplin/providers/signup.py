"""A provider joins: sign-up by SIRET, its public profile, the colleagues it adds to its team.

Each function writes in one transaction with its audit event and sends its emails once it commits.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tremplin.accounts.models import Role, User
from tremplin.accounts.services import send_verification, tell_the_owner_of_a_taken_address
from tremplin.core import audit
from tremplin.core.errors import ServiceError
from tremplin.core.language import programme_language
from tremplin.core.notifications import notify
from tremplin.core.validators import clean_iban, clean_siret
from tremplin.providers.access import require_member
from tremplin.providers.models import Provider, Status
from tremplin.providers.search import refresh_directory
from tremplin.registry import lookup
from tremplin.registry.models import Company, Establishment


def prefill(siret):
    """What the registry knows of this establishment, to fill the sign-up form: dict or None."""
    establishment = lookup.find_establishment(siret)
    if establishment is None:
        return None
    company = establishment.company
    return {
        "name": (company.display_name if company.denomination or company.last_name else "")
        or establishment.sign_name,
        "city": establishment.commune_name,
        "departement": company.departement,
        "trading_since": company.created_on,
        "closed": establishment.state == Establishment.State.CLOSED or company.state == Company.State.CEASED,
    }


@programme_language
def sign_up(*, siret, name, email, password, first_name, last_name):
    """A provider signs up by SIRET: the firm (accreditation requested) and its first member's account."""
    siret = clean_siret(siret)
    known = prefill(siret)
    if known and known["closed"]:
        raise ServiceError(
            "establishment_closed",
            "Cet établissement est déclaré fermé (ou l'entreprise cessée) au répertoire SIRENE : "
            "indiquez le SIRET d'un établissement en activité.",
            "siret",
        )
    if Provider.objects.filter(siret=siret).exists():
        raise ServiceError(
            "provider_exists",
            "Ce prestataire est déjà inscrit. Demandez à un membre de son équipe de vous ajouter.",
            "siret",
        )
    name = (name or "").strip() or (known or {}).get("name", "")
    if not name:
        raise ServiceError("missing", "Indiquez la raison sociale du prestataire.", "name")
    email = User.objects.normalize_email(email or "").strip().lower()
    if tell_the_owner_of_a_taken_address(email):
        # Answered like a new address (no enumeration): nothing is created, the address's owner is told.
        return None, None
    try:
        with transaction.atomic():
            provider = Provider(siret=siret, name=name[:200], status=Status.REQUESTED)
            if known:
                provider.city = known["city"]
                provider.departement = known["departement"]
                provider.trading_since = known["trading_since"]
            provider.status_changed_at = timezone.now()
            provider.save()
            refresh_directory(provider)
            user = User.objects.create_user(
                email,
                password,
                first_name=(first_name or "").strip(),
                last_name=(last_name or "").strip(),
                role=Role.PROVIDER,
                provider=provider,
                email_verified=False,
            )
            audit.record(provider, actor=user, action="sign_up", to_state=Status.REQUESTED)
            audit.record(user, actor=user, action="register", to_state="unverified", role=Role.PROVIDER)
            send_verification(user)
    except IntegrityError:
        raise ServiceError(
            "provider_exists", "Ce prestataire ou cette adresse est déjà inscrit.", "siret"
        ) from None
    return provider, user


PROFILE_FIELDS = {
    "description",
    "website",
    "email",
    "phone",
    "iban",
    "bic",
    "trading_since",
    "similar_turnover_cents",
}


@programme_language
def update_profile(member, provider, **fields):
    unknown = set(fields) - PROFILE_FIELDS
    if unknown:
        raise ServiceError("unknown_field", f"Champ inconnu : {', '.join(sorted(unknown))}.")
    require_member(member, provider)
    if fields.get("iban"):
        fields["iban"] = clean_iban(fields["iban"])
    if fields.get("similar_turnover_cents") is not None and fields["similar_turnover_cents"] < 0:
        raise ServiceError("negative_value", "Ce montant ne peut pas être négatif.", "similar_turnover_cents")
    if fields.get("trading_since") and fields["trading_since"] > timezone.localdate():
        raise ServiceError(
            "future_date", "La date de début d'activité ne peut pas être dans le futur.", "trading_since"
        )
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        for name, value in fields.items():
            setattr(provider, name, value)
        provider.save()
        refresh_directory(provider)
        audit.record(provider, actor=member, action="update_profile", fields=sorted(fields))
    return provider


@programme_language
def add_member(member, provider, email, first_name="", last_name=""):
    """A member adds a colleague: an account of their own, password chosen through the reset link."""
    require_member(member, provider)
    email = User.objects.normalize_email(email or "").strip().lower()
    if not email or "@" not in email:
        raise ServiceError("invalid_email", "Indiquez une adresse électronique valide.", "email")
    if User.objects.filter(email__iexact=email).exists():
        raise ServiceError(
            "email_taken", "Un compte existe déjà avec cette adresse : choisissez-en une autre.", "email"
        )
    with transaction.atomic():
        user = User.objects.create_user(
            email,
            None,
            first_name=(first_name or "").strip(),
            last_name=(last_name or "").strip(),
            role=Role.PROVIDER,
            provider=provider,
            email_verified=False,
        )
        audit.record(provider, actor=member, action="add_member", member=user.pk)
        notify(
            user,
            "Vous êtes invité à rejoindre {provider} sur Tremplin Numérique",
            "providers/emails/invitation.txt",
            subject_params={"provider": provider.name},
            provider=provider,
            inviter=member,
            reset_url=settings.SITE_ROOT.rstrip("/") + reverse("accounts:password_reset"),
            legal=True,
        )
    return user
