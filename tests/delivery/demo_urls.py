"""The portal's URLs as in demo mode (sspr.urls adds the outbox only when DEMO is set at import)."""

from django.urls import include, path

from sspr.urls import urlpatterns as portal

urlpatterns = [path("demo/", include("sspr.demo.urls")), *portal]
