"""Open a signer from a PKCS#12 file or a PKCS#11 token.

The passphrase / PIN is passed in at signing time and never stored, logged or put in an error.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence, Union

from asn1crypto import x509
from pyhanko.sign import signers

from .errors import CredentialNotFoundError, SecretLockedError, SignatureError, WrongSecretError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PKCS12Credential:
    """An official's or agency seal's key in a PKCS#12 (.p12/.pfx) file."""

    path: str | Path
    # Intermediates not inside the file (the agency's configured chain).
    extra_certs: Sequence[x509.Certificate] = field(default_factory=tuple)


@dataclass(frozen=True)
class PKCS11Credential:
    """A key on a PKCS#11 token: module path, slot number or token label, key label."""

    lib_path: str
    key_label: str
    token_label: str | None = None
    slot_no: int | None = None
    cert_label: str | None = None  # defaults to key_label
    extra_certs: Sequence[x509.Certificate] = field(default_factory=tuple)


Credential = Union[PKCS12Credential, PKCS11Credential]


def _secret_bytes(secret: str | bytes | None) -> bytes | None:
    if secret is None:
        return None
    return secret.encode("utf-8") if isinstance(secret, str) else secret


class _LoadedKeySigner(signers.SimpleSigner):
    """SimpleSigner keeping the decrypted key as a pyca/cryptography object.

    pyHanko's SimpleSigner re-parses the DER key, with cryptography's RSA consistency check, on
    every raw signature (~40 ms for RSA-2048, twice per PDF signature with the size estimate).
    The key object lives only as long as this signer, i.e. one signing operation.
    """

    def __init__(self, pyca_key, **kwargs):
        super().__init__(**kwargs)
        self._pyca_key = pyca_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        from cryptography.hazmat.primitives.asymmetric import ec, rsa
        from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
        from pyhanko_certvalidator.util import get_pyca_cryptography_hash, process_pss_params

        mech = self.get_signature_mechanism_for_digest(digest_algorithm)
        algo = mech.signature_algo
        key = self._pyca_key
        if algo == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        if algo == "rsassa_pss" and isinstance(key, rsa.RSAPrivateKey):
            pad, h = process_pss_params(mech["parameters"])
            return key.sign(data, pad, h)
        if algo == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
        return super().sign_raw(data, digest_algorithm)


def open_pkcs12_signer(cred: PKCS12Credential, passphrase: str | bytes | None) -> signers.SimpleSigner:
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pyhanko.keys.internal import (
        translate_pyca_cryptography_cert_to_asn1,
        translate_pyca_cryptography_key_to_asn1,
    )
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    try:
        data = Path(cred.path).read_bytes()
    except OSError:
        raise CredentialNotFoundError(detail=f"cannot read PKCS#12 file {cred.path}") from None
    try:
        key, cert, others = pkcs12.load_key_and_certificates(data, _secret_bytes(passphrase))
    except ValueError:
        # cryptography cannot tell a wrong passphrase from a damaged file; the former is by far
        # the common case. `from None`: keep the secret-bearing frames out of the traceback.
        logger.info("PKCS#12 file %s could not be opened (wrong passphrase or damaged)", cred.path)
        raise WrongSecretError(detail="PKCS#12 load failed") from None
    if key is None or cert is None:
        raise CredentialNotFoundError(detail=f"PKCS#12 file {cred.path} holds no key/certificate pair")
    store = SimpleCertificateStore()
    store.register_multiple([translate_pyca_cryptography_cert_to_asn1(c) for c in others or ()])
    store.register_multiple(list(cred.extra_certs))
    return _LoadedKeySigner(
        key,
        signing_cert=translate_pyca_cryptography_cert_to_asn1(cert),
        signing_key=translate_pyca_cryptography_key_to_asn1(key),
        cert_registry=store,
    )


@contextmanager
def open_pkcs11_signer(cred: PKCS11Credential, pin: str | None) -> Iterator[signers.Signer]:
    import pkcs11
    from pkcs11 import exceptions as p11e
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11 as ph11

    if cred.slot_no is None and cred.token_label is None:
        raise CredentialNotFoundError(detail="PKCS#11 credential needs a slot number or token label")
    try:
        session = ph11.open_pkcs11_session(
            cred.lib_path,
            slot_no=cred.slot_no,
            token_criteria=TokenCriteria(label=cred.token_label) if cred.token_label else None,
            user_pin=pin,
        )
    except (p11e.PinIncorrect, p11e.PinInvalid, p11e.PinLenRange):
        logger.info("PKCS#11 login refused for token %s", cred.token_label or cred.slot_no)
        raise WrongSecretError(detail="PKCS#11 PIN incorrect") from None
    except p11e.PinLocked:
        raise SecretLockedError(detail="PKCS#11 PIN locked") from None
    except (OSError, RuntimeError, pkcs11.PKCS11Error) as e:
        raise CredentialNotFoundError(detail=f"PKCS#11 token not available: {type(e).__name__}") from None
    except Exception as e:  # pyHanko's own PKCS11Error ("No token found")
        raise CredentialNotFoundError(detail=f"PKCS#11 token not found: {e}") from None
    try:
        try:
            signer = ph11.PKCS11Signer(
                session,
                cert_label=cred.cert_label or cred.key_label,
                key_label=cred.key_label,
                ca_chain=list(cred.extra_certs),
            )
            # Pull the certificate and key handle now so a missing object fails before signing.
            signer.signing_cert  # noqa: B018
        except SignatureError:
            raise
        except Exception as e:
            raise CredentialNotFoundError(
                detail=f"key/cert {cred.key_label!r} not on token: {type(e).__name__}"
            ) from None
        yield signer
    finally:
        session.close()


@contextmanager
def open_signer(cred: Credential, secret: str | bytes | None) -> Iterator[signers.Signer]:
    """Context manager yielding a pyHanko signer; a PKCS#11 session is closed on exit."""
    if isinstance(cred, PKCS12Credential):
        yield open_pkcs12_signer(cred, secret)
    elif isinstance(cred, PKCS11Credential):
        pin = secret.decode("utf-8") if isinstance(secret, bytes) else secret
        with open_pkcs11_signer(cred, pin) as s:
            yield s
    else:
        raise TypeError(f"unknown credential type {type(cred).__name__}")
