from django.apps import AppConfig


class AuthorityConfig(AppConfig):
    name = "tremplin.authority"
    verbose_name = "Qualité pour agir et comptes bancaires"
