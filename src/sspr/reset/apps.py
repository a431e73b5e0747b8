from django.apps import AppConfig


class ResetConfig(AppConfig):
    name = "sspr.reset"
    verbose_name = "Reset and unlock"
