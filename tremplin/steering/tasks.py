"""Steering work done by the task queue."""

from django_tasks import task


@task()
def budget_alerts(envelope_ids: list[int] | None = None):
    """Alert managers of the budget thresholds crossed (all envelopes, or these)."""
    from tremplin.steering.alerts import send_budget_alerts

    return send_budget_alerts(envelope_ids=set(envelope_ids) if envelope_ids is not None else None)


@task()
def refresh_figures():
    """Rebuild every pre-aggregated figure of the steering pages (queued by refresh.request_refresh);
    returns the milliseconds of each set's rebuild."""
    from tremplin.steering.refresh import run_queued_refresh

    done = run_queued_refresh()
    return {"flow_ms": done.flow_duration_ms, "stock_ms": done.stock_duration_ms}
