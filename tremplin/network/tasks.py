"""Work done after the request that caused it: rendering and sending the advisors' emails."""

from django_tasks import task


@task()
def notify_new_matches(match_ids: list[int]):
    """Email the advisors of these matches; routing passes ids so it never renders emails itself."""
    from tremplin.network.models import Match
    from tremplin.network.services import notify_new_matches

    notify_new_matches(
        Match.objects.filter(pk__in=match_ids).select_related("advisor", "request__theme").order_by("pk")
    )
