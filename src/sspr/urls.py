from django.conf import settings
from django.contrib import admin
from django.urls import path
from django.views.i18n import set_language

from sspr.web import views
from sspr.web.urls import demo_urlpatterns
from sspr.web.urls import urlpatterns as portal

urlpatterns = [
    *portal,
    path("language/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
if settings.DEMO:
    urlpatterns += demo_urlpatterns

handler400 = views.error_page(400)
handler403 = views.error_page(403)
handler404 = views.error_page(404)
handler500 = views.error_page(500)
