"""Start-up checks of the correspondence settings an administrator writes by hand."""

from django.conf import settings
from django.core import checks


@checks.register()
def kind_books_check(app_configs=None, **kwargs):
    """EOFFICE_KIND_BOOKS may only file the kinds without a series of their own into an existing book: a typo
    would otherwise number every such letter in the outgoing register without a word."""
    from correspondence.models import LetterKind
    from correspondence.services.letters import CONFIGURABLE_BOOKS, KIND_BOOK

    errors = []
    for kind, book in (getattr(settings, "EOFFICE_KIND_BOOKS", None) or {}).items():
        if kind not in LetterKind.values:
            errors.append(checks.Error(
                f"EOFFICE_KIND_BOOKS: unknown letter kind {kind!r}",
                hint="kinds: " + ", ".join(LetterKind.values), id="correspondence.E001"))
        elif kind in KIND_BOOK:
            errors.append(checks.Error(
                f"EOFFICE_KIND_BOOKS: {kind!r} has its own series ({KIND_BOOK[kind]}) by the regulation",
                hint="leave it out", id="correspondence.E002"))
        elif book not in CONFIGURABLE_BOOKS:
            errors.append(checks.Error(
                f"EOFFICE_KIND_BOOKS: {kind!r} cannot be numbered in {book!r}",
                hint="books: " + ", ".join(str(b) for b in CONFIGURABLE_BOOKS), id="correspondence.E003"))
    return errors
