"""Reads of the correspondence app shared by views, the API and tasks."""
from correspondence.models import SalutationRule
from eoffice import thai


def salutation_rules() -> tuple[thai.SalutationRule, ...]:
    """The table as the Thai kernel understands it, from the editable rows (defaults if none)."""
    rows = SalutationRule.objects.all()
    rules = tuple(
        thai.SalutationRule(key=r.key, recipients=r.recipients, opening=r.opening, closing=r.closing) for r in rows
    )
    return rules or thai.SALUTATION_RULES


def salutation_warning(opening: str, closing: str) -> str | None:
    return thai.salutation_warning(opening, closing, rules=salutation_rules())
