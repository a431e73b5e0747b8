from django.apps import AppConfig


class LimitsConfig(AppConfig):
    name = "sspr.limits"
    verbose_name = "Rate limits"
