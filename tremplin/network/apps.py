from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "tremplin.network"

    def ready(self):
        # Schemes may require a recent support action; they learn of it here rather than import us.
        from tremplin.network.reach import last_support_on
        from tremplin.schemes import prerequisites

        prerequisites.register("last_support_action_on", last_support_on)
