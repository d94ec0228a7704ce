"""Writes of the correspondence app, named by verb."""
from django.db import transaction

from correspondence.models import SalutationRule
from eoffice import thai


@transaction.atomic
def salutation_rules_load() -> int:
    """Load the salutation table from the Thai kernel's defaults; rules edited in the admin keep their text."""
    for order, rule in enumerate(thai.SALUTATION_RULES):
        SalutationRule.objects.get_or_create(
            key=rule.key,
            defaults={"recipients": rule.recipients, "opening": rule.opening, "closing": rule.closing, "order": order},
        )
    return SalutationRule.objects.count()
