from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "sspr.api"
    label = "api"
    verbose_name = "API"
