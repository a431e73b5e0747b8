from django.apps import AppConfig


class MethodsConfig(AppConfig):
    name = "sspr.methods"
    verbose_name = "Verification methods"

    def ready(self):
        from . import signals  # noqa: F401  (revocations on password and method changes)
