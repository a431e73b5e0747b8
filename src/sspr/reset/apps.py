from django.apps import AppConfig


class ResetConfig(AppConfig):
    name = "sspr.reset"
    verbose_name = "Reset and unlock"

    def ready(self):
        from .captcha import log_captcha_warnings  # in ready(): once every app is loaded

        log_captcha_warnings()  # "off" is allowed, and said out loud at every start
