from django.urls import path

from . import views
from .captcha import captcha_urls

urlpatterns = [
    path("reset/", views.start, name="reset_start"),
    path("reset/reason/", views.reason, name="reset_reason"),
    path("reset/verify/", views.verify, name="reset_verify"),
    path("reset/new-password/", views.new_password, name="reset_password"),
    path("reset/check/", views.check_new_password, name="reset_check"),
    path("reset/cancel/", views.cancel, name="reset_cancel"),
    *captcha_urls,
]
