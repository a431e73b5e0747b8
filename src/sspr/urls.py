from django.contrib import admin
from django.urls import path

from sspr.public_urls import handler400, handler403, handler404, handler500  # noqa: F401
from sspr.public_urls import urlpatterns as public

# sspr.web.middleware.ADMIN_PREFIX names the same place.
urlpatterns = [*public, path("admin/", admin.site.urls)]
