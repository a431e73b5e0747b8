from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class WebConfig(AppConfig):
    default = True  # "sspr.web" in INSTALLED_APPS; the admin's configuration below is named in full
    name = "sspr.web"
    verbose_name = "Web foundation"


class OperatorAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with our site as admin.site: its sign-in is ours (sspr.web.operators)."""

    default = False
    default_site = "sspr.web.operators.OperatorAdminSite"
