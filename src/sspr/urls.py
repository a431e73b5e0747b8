from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from sspr.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("sspr.accounts.urls")),
    path("", include("sspr.methods.urls")),
    path("", include("sspr.reset.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("language/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
if settings.DEMO:
    urlpatterns.append(path("demo/", include("sspr.demo.urls")))

handler400 = views.error_page(400)
handler403 = views.error_page(403)
handler404 = views.error_page(404)
handler500 = views.error_page(500)
