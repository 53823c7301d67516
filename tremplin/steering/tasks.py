"""Steering work done by the task queue."""

from django_tasks import task


@task()
def budget_alerts(envelope_ids: list[int] | None = None):
    """Alert managers of the budget thresholds crossed (all envelopes, or these)."""
    from tremplin.steering.alerts import send_budget_alerts

    return send_budget_alerts(envelope_ids=set(envelope_ids) if envelope_ids is not None else None)


@task()
def refresh_flow_facts():
    """Rebuild the figures of the funnel, delays and network pages (steering.facts); returns its ms."""
    from tremplin.steering.facts import refresh, start_refresh

    start_refresh()
    return refresh().duration_ms


@task()
def refresh_figures():
    """Recompute the pre-aggregated figures of the budget and reach pages (queued by stock_facts.request_refresh)."""
    from tremplin.steering.stock_facts import run_queued_refresh

    return run_queued_refresh().duration_ms
