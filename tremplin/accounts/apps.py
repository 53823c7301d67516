from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tremplin.accounts"

    def ready(self):
        from tremplin.accounts import throttle  # noqa: F401  (its signal receivers)
