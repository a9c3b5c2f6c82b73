"""The platform operator edits the legal pages (Impressum, Datenschutz, Barrierefreiheit) in the Django admin."""

from django.contrib import admin

from amtsweg.core.models import LegalPage


@admin.register(LegalPage)
class LegalPageAdmin(admin.ModelAdmin):
    list_display = ["kind", "operator", "contact_email", "updated_on"]
    fields = ["kind", "operator", "body", "contact_address", "contact_email", "contact_phone"]
