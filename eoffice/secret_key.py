"""A per-installation secret key for the embedded configuration.

Production sets DJANGO_SECRET_KEY; an embedded install gets a random key written once under var/,
so no key is ever committed and restarts keep sessions valid.
"""
import os
import secrets
from pathlib import Path


def load_or_create_secret_key(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    # O_EXCL: when two processes start at once, one writes and the other reads what it wrote.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key)
    return key
