import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from tremplin.core.models import NotificationFrequency


class Role(models.TextChoices):
    OWNER = "owner", _("Chef d'entreprise")
    ADVISOR = "advisor", _("Conseiller")
    PROVIDER = "provider", _("Prestataire")
    MANAGER = "manager", _("Gestionnaire du programme")
    AUDITOR = "auditor", _("Auditeur")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.MANAGER)
        extra.setdefault("email_verified", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person; logs in with an email address. Role decides what they may see and do."""

    username = None
    email = models.EmailField("adresse électronique", unique=True)
    role = models.CharField("rôle", max_length=16, choices=Role.choices, default=Role.OWNER)
    email_verified = models.BooleanField("adresse vérifiée", default=False)
    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name="organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    provider = models.ForeignKey(
        "providers.Provider",
        verbose_name="prestataire",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    # An advisor who heads their organisation sees its steering figures (tremplin.steering), for its
    # territory only.
    heads_organisation = models.BooleanField("responsable de l'organisation", default=False)
    notification_frequency = models.CharField(
        "fréquence des notifications",
        max_length=16,
        choices=NotificationFrequency.choices,
        default=NotificationFrequency.IMMEDIATE,
    )
    # How many of the person's notifications (core.Notification) are unread, kept by the services that
    # write and read them, so the bell of every page costs no query.
    unread_notifications = models.PositiveIntegerField("notifications non lues", default=0)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = "utilisateur"

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def is_owner(self):
        return self.role == Role.OWNER

    @property
    def is_advisor(self):
        return self.role == Role.ADVISOR

    @property
    def is_provider(self):
        return self.role == Role.PROVIDER

    @property
    def is_manager(self):
        return self.role == Role.MANAGER

    @property
    def is_auditor(self):
        return self.role == Role.AUDITOR


class ApiToken(models.Model):
    """Bearer token for partner systems; only a hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(raw):
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name="api"):
        """Create a token and return (token, raw); the raw value is shown once."""
        raw = "tn_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=raw[:8], digest=cls.hash(raw))
        return token, raw


class IdentityProviderLink(models.Model):
    """An account reached through an outside identity provider (ProConnect), by the provider's `sub`.

    Made on the first sign-in, when the provider's email matches an agent account; from then on the `sub`
    alone finds the account, whatever email the provider gives later."""

    PROCONNECT = "proconnect"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="identity_links")
    provider = models.CharField("fournisseur d'identité", max_length=32, default=PROCONNECT)
    subject = models.CharField("identifiant chez le fournisseur (sub)", max_length=255)
    linked_at = models.DateTimeField("lié le", auto_now_add=True)
    last_used_at = models.DateTimeField("dernière connexion", null=True, blank=True)

    class Meta:
        verbose_name = "lien avec un fournisseur d'identité"
        verbose_name_plural = "liens avec un fournisseur d'identité"
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="identity_link_unique_subject"),
            models.UniqueConstraint(fields=["provider", "user"], name="identity_link_one_per_provider"),
        ]

    def __str__(self):
        return f"{self.provider}: {self.user}"
