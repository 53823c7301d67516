"""Work done after the request that caused it: the notices of a submission, rendered by the worker."""

from django_tasks import task


@task()
def tell_of_submission(application_id: int, state: str):
    """The owner's receipt and the advisors' new-file notices of a file submitted in `state`.

    Enqueued in the submission's transaction (with the database backend the task is stored with the
    file, so a submission is never left without its notices, nor notices without a submission).
    """
    from tremplin.core.language import in_programme_language
    from tremplin.vouchers.models import Application
    from tremplin.vouchers.workflow import tell_of_submission

    application = (
        Application.objects.select_related("owner", "company__departement", "scheme", "envelope")
        .filter(pk=application_id)
        .first()
    )
    if application is None:  # deleted since (an erased account): nobody to tell
        return
    with in_programme_language():
        tell_of_submission(application, state)
