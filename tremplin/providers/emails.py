"""What a provider's team is emailed: every active member gets the same message."""

from tremplin.core.notifications import notify


def notify_members(provider, subject, body, legal=False):
    """Email every active member of `provider` once the transaction commits."""
    for member in provider.members.filter(is_active=True):
        notify(member, subject, "providers/emails/message.txt", legal=legal, body=body, provider=provider)
