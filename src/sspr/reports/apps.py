from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "sspr.reports"
    verbose_name = "Reports"
