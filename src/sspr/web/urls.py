"""Every page of the portal, in one place: the web layer is the only one that knows URLs."""

from django.urls import path, re_path

from . import accounts, apikeys, app, classes, console, reports, reset, second_step, security_info, views
from .captcha import captcha_urls

urlpatterns = [
    path("", views.home, name="home"),
    # Signing in and one's own account
    path("signin/", accounts.signin_page, name="signin"),
    path("signout/", accounts.signout, name="signout"),
    path("signin/pass/", accounts.signin_pass, name="signin_pass"),
    path("account/", accounts.profile, name="profile"),
    path("account/password/", accounts.password_change, name="password_change"),
    path("password/check/", accounts.password_check, name="password_check"),
    path("password/idea/", accounts.password_idea, name="password_idea"),
    # The second step, and security info
    path("signin/verify/", second_step.verify, name="verify"),
    path("security-info/", security_info.security_info, name="security_info"),
    path("security-info/confirm-password/", security_info.security_info_confirm, name="security_info_confirm"),
    path("security-info/add/<str:kind_name>/", security_info.method_add, name="method_add"),
    path("security-info/remove/<int:pk>/", security_info.method_remove, name="method_remove"),
    path("security-info/devices/<int:pk>/forget/", security_info.device_forget, name="device_forget"),
    path("security-info/finish/", security_info.security_info_finish, name="security_info_finish"),
    path("security-info/register/", security_info.security_info_interrupt, name="security_info_interrupt"),
    path("security-info/current/", security_info.security_info_reconfirm, name="security_info_reconfirm"),
    # The authenticator app that approves sign-ins
    path("app/", app.shell, name="app"),
    path("app/manifest.webmanifest", app.manifest, name="app_manifest"),
    path("app/sw.js", app.service_worker, name="app_service_worker"),
    path("app/api/pair", app.api_pair, name="app_pair"),
    path("app/api/requests", app.api_requests, name="app_requests"),
    path("app/api/code", app.api_code, name="app_code"),
    path("app/api/answer", app.api_answer, name="app_answer"),
    # Getting back into an account
    path("reset/", reset.start, name="reset_start"),
    path("reset/reason/", reset.reason, name="reset_reason"),
    path("reset/verify/", reset.verify, name="reset_verify"),
    path("reset/new-password/", reset.new_password, name="reset_password"),
    path("reset/check/", reset.check_new_password, name="reset_check"),
    path("reset/cancel/", reset.cancel, name="reset_cancel"),
    *captcha_urls,
    # The console: help desk, school help desks, teachers, auditors
    path("console/", console.home, name="console"),
    path("console/verify/", console.verify, name="console_verify"),
    path("console/audit/", console.audit, name="console_audit"),
    path("console/reports/", reports.coverage, name="console_reports"),
    path("console/reports/unregistered/", reports.unregistered, name="console_reports_unregistered"),
    path("console/reports/activity/", reports.activity, name="console_reports_activity"),
    path("console/reports/helpdesk/", reports.helpdesk, name="console_reports_helpdesk"),
    path("console/people/<str:user_id>/", console.person, name="console_person"),
    path("console/people/<str:user_id>/check/", console.check, name="console_check"),
    path("console/people/<str:user_id>/passes/<int:pk>/revoke/", console.revoke_pass, name="console_revoke_pass"),
    path("console/people/<str:user_id>/<slug:name>/", console.act, name="console_act"),
    path("console/api-keys/", apikeys.keys, name="console_apikeys"),
    path("console/api-keys/<slug:name>/revoke/", apikeys.revoke, name="console_apikey_revoke"),
    path("console/classes/", classes.classes, name="console_classes"),
    path("console/classes/<str:sourced_id>/", classes.section, name="console_section"),
    path("console/classes/<str:sourced_id>/sheet/", classes.sheet, name="console_sheet"),
    path("console/classes/<str:sourced_id>/sheets/<slug:batch>/void/", classes.void, name="console_void_sheet"),
    # Operations
    path("healthz", views.healthz, name="healthz"),
    re_path(r"^branding/logo\.(?P<suffix>svg|png|jpe?g|webp|gif)$", views.logo, name="logo"),
    path("readyz", views.readyz, name="readyz"),
]

demo_urlpatterns = [path("demo/outbox/", views.demo_outbox, name="demo_outbox")]
