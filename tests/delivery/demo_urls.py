"""The portal's URLs as in demo mode (sspr.urls adds the outbox only when DEMO is set at import)."""

from sspr.urls import urlpatterns as portal
from sspr.web.urls import demo_urlpatterns

urlpatterns = [*demo_urlpatterns, *portal]
