from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "sspr.web"
    verbose_name = "Web foundation"
