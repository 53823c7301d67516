from django.apps import AppConfig


class VouchersConfig(AppConfig):
    name = "tremplin.vouchers"
