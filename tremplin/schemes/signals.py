"""A scheme's rules token is drawn again whenever one of its rules changes (see `Scheme.rules_in_force`)."""

import uuid

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tremplin.schemes.models import EligibilityRule, Scheme


@receiver(post_save, sender=EligibilityRule)
@receiver(post_delete, sender=EligibilityRule)
def rules_changed(sender, instance, **kwargs):
    token = uuid.uuid4()
    Scheme.objects.filter(pk=instance.scheme_id).update(rules_token=token)
    if EligibilityRule.scheme.is_cached(instance):
        # The scheme the caller holds (the one it created the rule with) reads the new rules too.
        instance.scheme.rules_token = token
