"""Texts the platform stores (notification subjects, recommendation rules) shown in the reader's language."""

import pytest
from django.utils import translation

from tremplin.core.models import Notification
from tremplin.core.notifications import notify
from tremplin.diagnostics.models import RecommendationRule
from tremplin.vouchers import services

pytestmark = pytest.mark.django_db


def test_a_notification_subject_is_stored_french_and_listed_in_the_readers_language(owner, draft, sent):
    emails = sent(services.submit, owner, draft)
    notification = Notification.objects.get(user=owner)
    assert notification.subject == f"Votre demande {draft.reference} est déposée"
    assert emails[-1].subject == notification.subject  # the email stays in the programme's language
    with translation.override("en"):
        assert notification.shown_subject == f"Your application {draft.reference} is submitted"
    with translation.override("fr"):
        assert notification.shown_subject == notification.subject


def test_a_subject_without_values_is_translated_from_the_catalogue(owner):
    notify(
        owner,
        "Tremplin Numérique : confirmez votre adresse électronique",
        "accounts/emails/verify_email.txt",
        verify_url="http://x/",
        valid_days=3,
    )
    with translation.override("en"):
        assert Notification.objects.get().shown_subject == "Tremplin Numérique: confirm your email address"


def test_an_old_row_or_an_unknown_subject_shows_as_stored(owner):
    old = Notification.objects.create(user=owner, subject="Un objet écrit avant les modèles")
    broken = Notification.objects.create(
        user=owner,
        subject="Votre demande TN-1 est déposée",
        subject_template="Votre demande {ref} est déposée",
    )
    with translation.override("en"):
        assert old.shown_subject == "Un objet écrit avant les modèles"
        assert broken.shown_subject == "Votre demande TN-1 est déposée"  # its values were lost


def test_the_default_rules_have_their_english_and_an_edited_rule_falls_back_to_french():
    assert not RecommendationRule.objects.filter(title_en="").exists()
    rule = RecommendationRule.objects.order_by("pk").first()
    with translation.override("en"):
        assert rule.shown_title == "Review your digital strategy with an advisor"
    with translation.override("fr"):
        assert rule.shown_title == rule.title
    rule.title_en = rule.text_en = ""
    with translation.override("en"):
        assert (rule.shown_title, rule.shown_text) == (rule.title, rule.text)
