from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "sspr.sync"
    label = "sync"
    verbose_name = "Password sync"
    default_auto_field = "django.db.models.BigAutoField"
