"""docs/pages.md gives the officials' pages with their URLs: each URL in its table is one the portal serves."""
import re
from pathlib import Path

from django.conf import settings
from django.urls import Resolver404, resolve

from correspondence.forms import KIND_FIELDS

# The doc's placeholders, as a real URL would fill them in.
PLACEHOLDERS = {"<id>": "1", "<n>": "1", "<kind>": next(iter(KIND_FIELDS))}


def _table_urls():
    text = (Path(settings.BASE_DIR) / "docs" / "pages.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| page ")]
    return [url for row in rows for url in re.findall(r"`(/[^`\s]*)`", row)]


def _concrete(url):
    path = url.split("?", 1)[0]
    for placeholder, value in PLACEHOLDERS.items():
        path = path.replace(placeholder, value)
    return path


def test_every_url_of_the_pages_table_is_served():
    urls = _table_urls()
    assert "/letters/<id>/" in urls
    unknown = []
    for url in urls:
        try:
            resolve(_concrete(url))
        except Resolver404:
            unknown.append(url)
    assert unknown == []
