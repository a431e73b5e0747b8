from django.contrib import admin

from .models import Attempt, Delivery

ATTEMPT_FIELDS = ("number", "started_at", "finished_at", "outcome", "reason", "worker")


class AttemptInline(admin.TabularInline):
    model = Attempt
    fields = readonly_fields = ATTEMPT_FIELDS
    extra = 0
    can_delete = False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Read-only: what was sent, to whom, and what the provider said. Never the text."""

    list_display = ["created_at", "channel", "backend", "to", "account", "status", "attempts", "reason"]
    list_filter = ["status", "channel", "backend"]
    search_fields = ["to", "account", "provider_id"]
    date_hierarchy = "created_at"
    exclude = ["body", "html"]
    inlines = [AttemptInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
