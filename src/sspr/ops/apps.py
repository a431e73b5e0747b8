from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "sspr.ops"
    verbose_name = "Operator commands"
