"""Read-only view of payments for platform operators (Django admin): status history, never editable by hand."""

from django.contrib import admin

from amtsweg.payments.models import PaymentEvent, PaymentTransaction


class PaymentEventInline(admin.TabularInline):
    model = PaymentEvent
    extra = 0
    can_delete = False
    fields = ["at", "source", "from_status", "to_status", "provider_status"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PaymentTransaction)
class PaymentTransactionAdmin(admin.ModelAdmin):
    list_display = ["reference", "amount_display", "status", "provider", "attempt", "created_at", "paid_at"]
    list_filter = ["status", "provider"]
    search_fields = ["reference", "provider_transaction_id"]
    inlines = [PaymentEventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in PaymentTransaction._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
