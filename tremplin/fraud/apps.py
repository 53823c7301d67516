from django.apps import AppConfig


class FraudConfig(AppConfig):
    name = "tremplin.fraud"
    verbose_name = "signalements"

    def ready(self):
        # The staff's file page shows the fraud flags of the file: vouchers asks us through its hook.
        from tremplin.fraud.flags import flags_for
        from tremplin.vouchers.services import add_file_signals

        add_file_signals(flags_for)
