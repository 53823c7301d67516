from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "tremplin.providers"

    def ready(self):
        # A deleted draft takes its quote requests with it: vouchers lets us cancel them first.
        from tremplin.providers.quotes import cancel_for_deleted_draft
        from tremplin.vouchers.services import before_draft_deleted

        before_draft_deleted(cancel_for_deleted_draft)
