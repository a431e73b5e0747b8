from django.apps import AppConfig


class MethodsConfig(AppConfig):
    name = "sspr.methods"
    verbose_name = "Verification methods"
