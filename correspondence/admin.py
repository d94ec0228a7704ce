from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from correspondence.models import SalutationRule


@admin.register(SalutationRule)
class SalutationRuleAdmin(SimpleHistoryAdmin):
    list_display = ["opening", "closing", "recipients", "order"]
    search_fields = ["opening", "closing", "recipients"]
