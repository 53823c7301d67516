from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "tremplin.providers"

    def ready(self):
        # A deleted draft takes its quote requests with it: vouchers lets us cancel them first.
        from tremplin.providers.quotes import cancel_for_deleted_draft, set_aside_replaced
        from tremplin.vouchers.services import before_draft_deleted, when_quote_replaced

        before_draft_deleted(cancel_for_deleted_draft)
        # Another quote or provider on a draft sets aside the quote chosen before, its provider told.
        when_quote_replaced(set_aside_replaced)
