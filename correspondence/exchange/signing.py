"""Signed requests between portals (RFC 9421 HTTP Message Signatures, Ed25519, per-peer keys).

Each portal signs with its own private key; each peer is configured with the other's public key.
A request covers its method, full URL, content type and a SHA-256 Content-Digest of its body, carries
a creation time and a nonce, and is refused when it is older than MAX_AGE or its nonce was seen.
"""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from http_message_signatures import (
    HTTPMessageSigner,
    HTTPMessageVerifier,
    HTTPSignatureKeyResolver,
    InvalidSignature,
    algorithms,
)
from http_message_signatures.exceptions import HTTPMessageSignaturesException

TAG = "eoffice-exchange"
COVERED = ("@method", "@target-uri", "content-type")
MAX_AGE = dt.timedelta(minutes=5)


class ExchangeAuthError(Exception):
    """A request that does not prove which peer sent it. ``code`` is for logs and the API."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class SignedMessage:
    """The request as the library sees it: method, full URL and header fields."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)


def generate_keypair() -> tuple[str, str]:
    """A new Ed25519 key pair as (private PEM, public PEM)."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


class _OneKey(HTTPSignatureKeyResolver):
    def __init__(self, private=None, public=None):
        self.private, self.public = private, public

    def resolve_private_key(self, key_id):
        return self.private

    def resolve_public_key(self, key_id):
        return self.public


def sign_request(method: str, url: str, body: bytes, *, key_id: str, private_key_pem: str,
                 content_type: str = "application/json", now: dt.datetime | None = None) -> dict[str, str]:
    """Headers to send with the request: Content-Type, Content-Digest, Signature-Input, Signature."""
    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    message = SignedMessage(method.upper(), url, {"Content-Type": content_type})
    signer = HTTPMessageSigner(signature_algorithm=algorithms.ED25519, key_resolver=_OneKey(private=key))
    signer.sign(message, key_id=key_id, created=now or dt.datetime.now(dt.timezone.utc), nonce=secrets.token_urlsafe(18),
                tag=TAG, covered_component_ids=COVERED, body=body)
    return dict(message.headers)


def verify_request(method: str, url: str, headers, body: bytes, *,
                   public_key_for: Callable[[str], str | None],
                   nonce_is_new: Callable[[str, str], bool]) -> str:
    """The key id of the peer that signed the request; ExchangeAuthError (Thai message) otherwise.

    ``public_key_for(key_id)`` gives the configured peer's public key PEM or None; ``nonce_is_new``
    records the nonce and answers False if it was seen before (a replay).
    """
    message = SignedMessage(method.upper(), url, {k: v for k, v in headers.items()})
    key_id = _claimed_key_id(message)
    pem = public_key_for(key_id) if key_id else None
    if not pem:
        raise ExchangeAuthError("unknown_peer", "ไม่รู้จักระบบที่ส่งคำขอนี้ (ไม่มีกุญแจของหน่วยงานผู้ส่งในระบบ)")
    public = serialization.load_pem_public_key(pem.encode())
    if not isinstance(public, Ed25519PublicKey):
        raise ExchangeAuthError("bad_key", "กุญแจของหน่วยงานผู้ส่งไม่ใช่ชนิด Ed25519")
    verifier = HTTPMessageVerifier(signature_algorithm=algorithms.ED25519, key_resolver=_OneKey(public=public))
    try:
        results = verifier.verify(message, max_age=MAX_AGE, expect_tag=TAG, require_components=COVERED, body=body)
    except InvalidSignature as exc:
        text = str(exc)
        if "Signature age exceeds" in text or "expired" in text.lower():
            raise ExchangeAuthError("expired", "คำขอหมดอายุหรือเวลาของเครื่องผู้ส่งคลาดเคลื่อนเกินกำหนด") from exc
        raise ExchangeAuthError("bad_signature", "ลายมือชื่อของคำขอไม่ถูกต้อง: ข้อมูลถูกแก้ไขระหว่างทางหรือไม่ได้ลงนามด้วยกุญแจของผู้ส่ง") from exc
    except HTTPMessageSignaturesException as exc:
        raise ExchangeAuthError("malformed", "ส่วนหัวลายมือชื่อของคำขอไม่ถูกต้องตามรูปแบบ") from exc
    nonce = results[0].nonce
    if not nonce:
        raise ExchangeAuthError("no_nonce", "คำขอไม่มีค่า nonce จึงป้องกันการส่งซ้ำไม่ได้")
    if not nonce_is_new(key_id, nonce):
        raise ExchangeAuthError("replay", "คำขอนี้เคยได้รับแล้ว (ส่งซ้ำ) จึงไม่รับอีก")
    return key_id


def _claimed_key_id(message: SignedMessage) -> str | None:
    # The key id is read before verification only to pick the key; verification then covers it.
    value = next((v for k, v in message.headers.items() if k.lower() == "signature-input"), "")
    marker = 'keyid="'
    start = value.find(marker)
    if start < 0:
        return None
    end = value.find('"', start + len(marker))
    return value[start + len(marker):end] or None


def cache_nonce_check(cache, ttl_seconds: int = int(MAX_AGE.total_seconds() * 2)) -> Callable[[str, str], bool]:
    """A nonce check on Django's cache: ``add`` is atomic on Redis, so two replays cannot both pass."""

    def nonce_is_new(key_id: str, nonce: str) -> bool:
        return cache.add(f"exchange-nonce:{key_id}:{nonce}", 1, timeout=ttl_seconds)

    return nonce_is_new
