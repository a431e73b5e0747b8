from django.urls import path

from . import views

urlpatterns = [
    path("signin/verify/", views.verify, name="verify"),
    path("security-info/", views.security_info, name="security_info"),
    path("security-info/confirm-password/", views.security_info_confirm, name="security_info_confirm"),
    path("security-info/add/<str:kind_name>/", views.method_add, name="method_add"),
    path("security-info/remove/<int:pk>/", views.method_remove, name="method_remove"),
    path("security-info/devices/<int:pk>/forget/", views.device_forget, name="device_forget"),
    path("security-info/finish/", views.security_info_finish, name="security_info_finish"),
    path("security-info/register/", views.security_info_interrupt, name="security_info_interrupt"),
    path("security-info/current/", views.security_info_reconfirm, name="security_info_reconfirm"),
]
