from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "sspr.audit"
    verbose_name = "Audit trail"
