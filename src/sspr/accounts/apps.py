from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sspr.accounts"
    verbose_name = "Portal accounts"
