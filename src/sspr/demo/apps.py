from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "sspr.demo"
    verbose_name = "Demo district"
