from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiagnosticsConfig(AppConfig):
    name = "tremplin.diagnostics"
    verbose_name = _("Diagnostic de maturité numérique")

    def ready(self):
        # Schemes may require a recent diagnostic; they learn of it here rather than import us.
        from tremplin.diagnostics.access import last_completed_on
        from tremplin.schemes import prerequisites

        prerequisites.register("last_diagnostic_on", last_completed_on)
