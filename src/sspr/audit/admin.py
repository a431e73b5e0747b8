from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "tag", "outcome", "reason", "subject", "actor", "actor_role", "client_ip"]
    list_filter = ["tag", "outcome", "reason", "actor_role"]
    search_fields = ["subject", "actor", "client_ip"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
