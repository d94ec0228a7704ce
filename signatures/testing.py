"""Test/bench support: a certomancer PKI served on 127.0.0.1 and a SoftHSM2 token.

Used by tests/signatures and bench/bench_sign.py only; production code never imports it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

# Shared by tests and the bench. Deliberately distinctive, so tests can grep logs for it.
TEST_PASSPHRASE = "pass-วันนี้-7319"
# Signature box on page 2 of sample_letter_pdf(), in PDF points (page, x, y, w, h).
SAMPLE_SIGNATURE_BOX = (2, 300.0, 420.0, 200.0, 72.0)

PKI_CONFIG = Path(__file__).resolve().parent.parent / "tests" / "signatures" / "pki" / "pki.yml"
ARCH = "eoffice"
KEY_LABELS = (
    "root", "interm", "interm-ocsp", "tsa", "official", "seal-a", "seal-b", "revoked", "expired",
)
SOFTHSM_LIB_CANDIDATES = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
)


def _write_keys(key_dir: Path) -> None:
    key_dir.mkdir(parents=True, exist_ok=True)
    for label in KEY_LABELS:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        (key_dir / f"{label}.key.pem").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )


def _install_key_cache() -> None:
    """Keep certomancer's service keys loaded between responses.

    certomancer re-parses (and re-validates) the signing key for every OCSP response, CRL and
    timestamp, ~45 ms each; a real TSA or OCSP responder keeps its key loaded (or in an HSM).
    Without this the loopback PKI, not the code under test, dominates the timings.
    """
    from certomancer import crypto_utils

    if getattr(crypto_utils.CRYPTO_BACKEND, "_eoffice_cached", False):
        return
    base = crypto_utils.CRYPTO_BACKEND
    cache: dict[bytes, object] = {}

    class _CachingBackend(type(base)):
        _eoffice_cached = True

        def generic_sign(self, private_key, tbs_bytes, sd_algo):
            if sd_algo.signature_algo != "rsassa_pkcs1v15":
                return super().generic_sign(private_key, tbs_bytes, sd_algo)
            from cryptography.hazmat.primitives import hashes
            from cryptography.hazmat.primitives.asymmetric import padding

            der = private_key.dump()
            key = cache.get(der)
            if key is None:
                key = cache[der] = serialization.load_der_private_key(der, password=None)
            return key.sign(tbs_bytes, padding.PKCS1v15(), getattr(hashes, sd_algo.hash_algo.upper())())

    crypto_utils.CRYPTO_BACKEND = _CachingBackend()


class TestPKI:
    """certomancer architecture ``eoffice`` with OCSP, CRLs and a TSA served on loopback."""

    __test__ = False  # not a pytest class

    def __init__(self, workdir: str | os.PathLike | None = None):
        from certomancer.registry import CertomancerConfig

        self._own_dir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="eoffice-pki-"))
        _write_keys(self.workdir / "keys")
        # Bind first so the URLs baked into the certificates carry the real port.
        self._sock = self._bind(0)
        self.port = self._sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        cfg = CertomancerConfig.from_file(
            str(PKI_CONFIG), key_search_dir=str(self.workdir), external_url_prefix=self.base_url
        )
        self.arch = cfg.get_pki_arch(ARCH)
        _install_key_cache()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner = None
        self._thread: threading.Thread | None = None

    # -- server ---------------------------------------------------------------
    def _bind(self, port: int) -> socket.socket:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen(64)
        return s

    @property
    def running(self) -> bool:
        return self._runner is not None

    def start(self) -> None:
        if self.running:
            return
        from aiohttp import web
        from certomancer.integrations.aiohttp_animator import build_animator_app

        if self._sock is None:
            self._sock = self._bind(self.port)
        app = build_animator_app({self.arch.arch_label: self.arch}, with_web_ui=False)
        self._loop = asyncio.new_event_loop()
        started = threading.Event()

        async def _serve():
            self._runner = web.AppRunner(app, access_log=None)
            await self._runner.setup()
            await web.SockSite(self._runner, self._sock).start()
            started.set()

        def _run():
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(_serve())
            self._loop.run_forever()

        self._thread = threading.Thread(target=_run, name="test-pki", daemon=True)
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("test PKI did not start")

    def stop(self) -> None:
        if not self.running:
            return
        fut = asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop)
        fut.result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
        self._runner = self._loop = self._thread = None
        try:
            self._sock.close()
        finally:
            self._sock = None

    def close(self) -> None:
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()

    # -- material -------------------------------------------------------------
    @property
    def tsa_url(self) -> str:
        return f"{self.base_url}/{ARCH}/tsa/tsa"

    def cert(self, label: str) -> x509.Certificate:
        return self.arch.get_cert(label)

    @property
    def root(self) -> x509.Certificate:
        return self.cert("root")

    def chain(self, label: str) -> list[x509.Certificate]:
        return [self.cert(c) for c in self.arch.get_chain(label)]

    def pkcs12_file(self, label: str, passphrase: str) -> Path:
        path = self.workdir / f"{label}.p12"
        path.write_bytes(self.arch.package_pkcs12(label, password=passphrase.encode()))
        return path

    def root_pem_file(self) -> Path:
        from asn1crypto import pem

        path = self.workdir / "root.pem"
        path.write_bytes(pem.armor("CERTIFICATE", self.root.dump()))
        return path

    def key_pem(self, label: str) -> Path:
        return self.workdir / "keys" / f"{label}.key.pem"


def find_softhsm_lib() -> str | None:
    for c in SOFTHSM_LIB_CANDIDATES:
        if os.path.exists(c):
            return c
    return None


@dataclass
class SoftHSMToken:
    lib: str
    token_label: str
    pin: str
    conf: Path


def make_softhsm_token(
    pki: TestPKI, workdir: Path, labels=("official", "seal-a"), token_label="eoffice-test",
    pin="246810", so_pin="13579",
) -> SoftHSMToken:
    """Initialise a SoftHSM2 token in ``workdir`` and write each label's key and certificate.

    Sets SOFTHSM2_CONF in os.environ (the library reads it when loaded).
    """
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    lib = find_softhsm_lib()
    if lib is None:
        raise RuntimeError("libsofthsm2.so not found (Debian package softhsm2)")
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "tokens").mkdir(exist_ok=True)
    conf = workdir / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {workdir / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    os.environ["SOFTHSM2_CONF"] = str(conf)
    env = dict(os.environ)
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", token_label, "--pin", pin,
         "--so-pin", so_pin],
        check=True, capture_output=True, env=env,
    )
    for i, label in enumerate(labels, start=1):
        subprocess.run(
            ["softhsm2-util", "--import", str(pki.key_pem(label)), "--token", token_label,
             "--label", label, "--id", f"{i:02x}", "--pin", pin],
            check=True, capture_output=True, env=env,
        )
    token = pkcs11.lib(lib).get_token(token_label=token_label)
    with token.open(rw=True, user_pin=pin) as session:
        for i, label in enumerate(labels, start=1):
            cert = pki.cert(label)
            session.create_object({
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: label,
                Attribute.ID: bytes([i]),
                Attribute.SUBJECT: cert.subject.dump(),
                Attribute.VALUE: cert.dump(),
            })
    return SoftHSMToken(lib=lib, token_label=token_label, pin=pin, conf=conf)


def sample_letter_pdf(pages: int = 2) -> bytes:
    """A plain two-page Thai letter-like PDF drawn with WeasyPrint (stand-in for the real renderer)."""
    from weasyprint import HTML

    body = "".join(
        f"<section style='page-break-after: {'always' if i < pages else 'auto'}'>"
        f"<h1>หนังสือทดสอบ หน้า {i}</h1>"
        "<p>เรื่อง ขอเชิญประชุมคณะทำงานพัฒนาระบบสารบรรณอิเล็กทรอนิกส์ "
        "เรียน อธิบดีกรมตัวอย่าง ด้วยสำนักงานปลัดกระทรวงตัวอย่างจะจัดประชุมเพื่อพิจารณาร่างมาตรฐาน</p>"
        "</section>"
        for i in range(1, pages + 1)
    )
    html = (
        "<html lang='th'><head><style>@page { size: A4; margin: 2cm 2cm 2cm 3cm } "
        "body { font-family: Laksaman, 'TH Sarabun New', sans-serif; font-size: 16pt }</style></head>"
        f"<body>{body}</body></html>"
    )
    return HTML(string=html).write_pdf()
