"""Every address except the admin's: the URL configuration a client outside
admin.allowed_networks is served (sspr.web.middleware.AdminNetworksMiddleware), so to it /admin/
does not exist at all, exactly like any other unknown address. sspr.urls adds the admin."""

from django.conf import settings
from django.urls import path
from django.views.i18n import set_language

from sspr.web import views
from sspr.web.urls import demo_urlpatterns
from sspr.web.urls import urlpatterns as portal

urlpatterns = [
    *portal,
    path("language/", set_language, name="set_language"),
]
if settings.DEMO:
    urlpatterns += demo_urlpatterns
if settings.CONFIG.api.enabled:
    from sspr.api.endpoints import api

    urlpatterns.append(path("api/v1/", api.urls))

handler400 = views.error_page(400)
handler403 = views.error_page(403)
handler404 = views.error_page(404)
handler500 = views.error_page(500)
