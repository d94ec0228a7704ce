"""Encryption of signing material: at rest (credentials) and in flight (a job's passphrase/PIN).

At rest: Fernet (AES-128-CBC + HMAC-SHA256) under ``settings.EOFFICE_KEY_ENCRYPTION_KEY``; several
comma-separated keys rotate (the first encrypts, all decrypt).

In flight: ``seal_job_secret`` encrypts an official's passphrase with a fresh per-job key that lives
only in the cache for ``JOB_SECRET_TTL`` seconds; the ciphertext is kept on the job row. Neither
half alone reveals the secret, and once the key is gone (used or expired) the ciphertext is noise.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.cache import cache

JOB_SECRET_TTL = 60
_CACHE_PREFIX = "signatures:job-key:"


class DecryptionError(Exception):
    """Stored material cannot be decrypted (wrong/rotated key or tampered data)."""


def _fernet() -> MultiFernet:
    keys = [k.strip() for k in str(settings.EOFFICE_KEY_ENCRYPTION_KEY).split(",") if k.strip()]
    if not keys:
        raise DecryptionError("EOFFICE_KEY_ENCRYPTION_KEY is empty")
    return MultiFernet([Fernet(k.encode("ascii")) for k in keys])


def encrypt(data: bytes) -> str:
    """Fernet token (ASCII text) of ``data`` under the current key-encryption key."""
    return _fernet().encrypt(data).decode("ascii")


def decrypt(token: str) -> bytes:
    try:
        return _fernet().decrypt(token.encode("ascii"))
    except (InvalidToken, ValueError):
        raise DecryptionError("stored credential cannot be decrypted with the configured key") from None


def rotate(token: str) -> str:
    """Re-encrypt under the newest key (after adding a key in front of the list)."""
    return _fernet().rotate(token.encode("ascii")).decode("ascii")


# -- per-job secrets ------------------------------------------------------------------------------

def seal_job_secret(job_id: int, secret: str) -> str:
    """Encrypt ``secret`` with a new key stored in the cache under the job id; return the ciphertext."""
    key = Fernet.generate_key()
    cache.set(f"{_CACHE_PREFIX}{job_id}", key.decode("ascii"), timeout=JOB_SECRET_TTL)
    return Fernet(key).encrypt(secret.encode("utf-8")).decode("ascii")


def open_job_secret(job_id: int, ciphertext: str) -> str | None:
    """The secret, or None when the key has expired or was already used. The key is deleted first,
    so a secret can be opened at most once."""
    name = f"{_CACHE_PREFIX}{job_id}"
    key = cache.get(name)
    cache.delete(name)
    if not key or not ciphertext:
        return None
    try:
        return Fernet(key.encode("ascii")).decrypt(ciphertext.encode("ascii"), ttl=JOB_SECRET_TTL * 2).decode("utf-8")
    except InvalidToken:
        return None


def discard_job_secret(job_id: int) -> None:
    cache.delete(f"{_CACHE_PREFIX}{job_id}")


# -- decrypted PKCS#12 bytes without touching the disk ----------------------------------------------

@contextmanager
def plaintext_file(data: bytes, name: str = "credential") -> Iterator[Path]:
    """A path readable by this process holding ``data``: an anonymous memfd on Linux (never on a
    disk, gone when closed); elsewhere a 0600 temporary file removed on exit."""
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create(name, os.MFD_CLOEXEC)
        try:
            os.write(fd, data)
            yield Path(f"/proc/self/fd/{fd}")
        finally:
            os.close(fd)
        return
    import tempfile

    fd, path = tempfile.mkstemp(prefix="eoffice-", suffix=".p12")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        yield Path(path)
    finally:
        Path(path).unlink(missing_ok=True)
