from django.urls import path

from . import views

urlpatterns = [
    path("signin/", views.signin, name="signin"),
    path("signout/", views.signout, name="signout"),
    path("account/", views.profile, name="profile"),
    path("account/password/", views.password_change, name="password_change"),
    path("password/check/", views.password_check, name="password_check"),
    path("password/idea/", views.password_idea, name="password_idea"),
]
