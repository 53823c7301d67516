from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet):
    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        ).order_by("at", "id")


class AuditEvent(models.Model):
    """Append-only trace of a state change: who, when, from, to, why."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    action = models.CharField(max_length=64)
    from_state = models.CharField(max_length=32, blank=True)
    to_state = models.CharField(max_length=32, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]
        verbose_name = "événement d'audit"
        verbose_name_plural = "événements d'audit"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.from_state}→{self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")


class NotificationFrequency(models.TextChoices):
    """How a person receives the emails that have no legal effect (legal ones always leave at once)."""

    IMMEDIATE = "immediate", _("Tout de suite, un courriel par événement")
    DAILY = "daily", _("Un résumé par jour")
    WEEKLY = "weekly", _("Un résumé par semaine")
    NONE = "none", _("Aucun courriel, sauf les courriels obligatoires")


class PendingNotification(models.Model):
    """An email held for its recipient's daily or weekly digest; deleted once the digest is sent."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_notifications"
    )
    subject = models.CharField("objet", max_length=255)
    body = models.TextField("message")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"])]
        verbose_name = "notification en attente"
        verbose_name_plural = "notifications en attente"

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.subject}"


class Notification(models.Model):
    """What the platform told a person (emailed, held for a digest, or not emailed at their choice), as
    listed behind the header's bell. Written by `core.notifications.notify`, in the caller's transaction."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    subject = models.CharField("objet", max_length=255)
    # The subject before formatting (a French msgid) and its values, so that the list shows it in the
    # reader's language; empty for the rows written before, shown as stored.
    subject_template = models.CharField("modèle de l'objet", max_length=255, blank=True)
    subject_params = models.JSONField("valeurs de l'objet", default=dict, blank=True)
    # The page of the object it is about, a path of the site ("/dossiers/12/").
    link = models.CharField("lien", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField("lue le", null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"])]
        verbose_name = "notification"
        verbose_name_plural = "notifications"

    def __str__(self):
        return self.subject

    @property
    def shown_subject(self):
        """The subject in the active language: the catalogue's translation of its template (or of the
        stored subject, for a subject without values), the French text when the catalogue has none."""
        if not self.subject_template:
            return gettext(self.subject)
        try:
            return gettext(self.subject_template).format(**self.subject_params)
        except (KeyError, IndexError, ValueError):
            return self.subject


class IdempotencyRecord(models.Model):
    """The first answer to a state-changing API request sent with an `Idempotency-Key` header, replayed to
    the retries of the same client, or to a form sent twice (tremplin.core.idempotency). Kept a day
    (docs/privacy.md)."""

    KEPT_FOR = timedelta(days=1)

    # SHA-256 of the request's credential (the Authorization header) or of the signed-in person: a key
    # means nothing to another client.
    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    # SHA-256 of the method, path, query and body: a retry must be the same request.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    location = models.CharField(max_length=2000, blank=True)  # a redirect's
    body = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "réponse rejouable"
        verbose_name_plural = "réponses rejouables"
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_once")]

    def __str__(self):
        return f"{self.key} ({self.status})"
