"""Helpers of the hardening tests (imported by name: the conftest modules are not importable)."""
from pathlib import Path

from rest_framework.test import APIClient


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in Path(root).rglob("*") if p.is_file())
