from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ReportsConfig(AppConfig):
    name = "sspr.reports"
    verbose_name = "Reports"

    def ready(self):
        # Every way a method is added or removed (self-service, the console, the API, a command)
        # keeps the person's registration status in the snapshot right.
        from sspr.methods.models import Method

        from .people import method_changed

        def added(sender, instance, created, **kwargs):
            if created:
                method_changed(instance.user)

        def removed(sender, instance, **kwargs):
            user = type(instance).user.field.related_model.objects.filter(pk=instance.user_id).first()
            if user is not None:  # not when the user is being deleted with their methods
                method_changed(user)

        post_save.connect(added, sender=Method, weak=False, dispatch_uid="reports-method-added")
        post_delete.connect(removed, sender=Method, weak=False, dispatch_uid="reports-method-removed")
