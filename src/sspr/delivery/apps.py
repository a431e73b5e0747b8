import logging

from django.apps import AppConfig

log = logging.getLogger("sspr.delivery")


class DeliveryConfig(AppConfig):
    name = "sspr.delivery"
    label = "delivery"
    verbose_name = "Delivery of codes and notifications"

    def ready(self):
        from .registry import local_backends_outside_demo  # in ready(): once every app is loaded

        for warning in local_backends_outside_demo():
            log.warning(warning)
