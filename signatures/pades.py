"""PAdES signing (B-B, B-T, B-LT, B-LTA), further approval signatures, receipt stamps, renewal.

Every function takes the PDF as bytes and returns new bytes; the input is never modified, so a
failure (wrong PIN, revoked certificate, TSA down) leaves the letter exactly as it was. Signatures
are incremental updates: signed bytes are never rewritten.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import ssl
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path
from typing import AsyncIterator, Sequence

import aiohttp
from asn1crypto import x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator import errors as cv_errors
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

from . import appearance
from .credentials import Credential, open_signer
from .errors import (
    CertificateExpiredError,
    CertificateNotTrustedError,
    CertificateRevokedError,
    InvalidPdfError,
    RenewalError,
    RevocationUnavailableError,
    SignatureError,
    TimestampUnavailableError,
)

logger = logging.getLogger(__name__)


class PadesLevel(str, enum.Enum):
    B_B = "B-B"
    B_T = "B-T"
    B_LT = "B-LT"
    B_LTA = "B-LTA"

    @property
    def rank(self) -> int:
        return list(PadesLevel).index(self)


DEFAULT_LEVEL = PadesLevel.B_LTA


@dataclass(frozen=True)
class TrustSettings:
    """Agency configuration: trust anchors, known intermediates, TSA URL."""

    trust_roots: Sequence[x509.Certificate]
    tsa_url: str | None = None
    intermediates: Sequence[x509.Certificate] = field(default_factory=tuple)
    tsa_timeout: float = 10

    def validation_context(self, *, allow_fetching: bool = True, **kw) -> ValidationContext:
        return ValidationContext(
            trust_roots=list(self.trust_roots),
            other_certs=list(self.intermediates) + list(kw.pop("other_certs", [])),
            allow_fetching=allow_fetching,
            revocation_mode=kw.pop("revocation_mode", "hard-fail"),
            **kw,
        )


_ssl_context: ssl.SSLContext | None = None


def _shared_ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle costs ~20 ms; aiohttp's default does it for every session.
    global _ssl_context
    if _ssl_context is None:
        import certifi

        _ssl_context = ssl.create_default_context(cafile=certifi.where())
    return _ssl_context


@asynccontextmanager
async def http_session() -> AsyncIterator[aiohttp.ClientSession]:
    """One HTTP session per signing/validation operation, shared by the TSA client and the
    OCSP/CRL fetchers (keep-alive to the same PKI host). Sessions are bound to their event loop,
    so they cannot outlive the operation."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=_shared_ssl_context())) as s:
        yield s


def timestamper_for(trust: TrustSettings, session: aiohttp.ClientSession | None = None) -> TimeStamper:
    if not trust.tsa_url:
        raise TimestampUnavailableError(
            "ยังไม่ได้ตั้งค่าหน่วยงานประทับรับรองเวลา (TSA) สำหรับระดับลายมือชื่อที่กำหนด",
            detail="no TSA URL configured",
        )
    return HTTPTimeStamper(trust.tsa_url, timeout=trust.tsa_timeout, session=session)


@dataclass(frozen=True)
class SignatureBox:
    """Where a visible signature goes: page number (1 = first, -1 = last) and a box in PDF points
    (x, y = lower-left corner from the page's lower-left; w, h = size)."""

    page: int
    x: float
    y: float
    w: float
    h: float

    @property
    def page_index(self) -> int:
        return self.page - 1 if self.page > 0 else self.page

    @property
    def rect(self) -> tuple[float, float, float, float]:
        return (self.x, self.y, self.x + self.w, self.y + self.h)


# -- pre-sign checks -------------------------------------------------------------------------

def _cause_chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def check_signer_certificate(
    cert: x509.Certificate,
    other_certs: Sequence[x509.Certificate],
    vc: ValidationContext,
) -> None:
    """Chain to a configured anchor, in validity, not revoked (OCSP/CRL, hard-fail); else a Thai error."""

    async def _run():
        try:
            await async_check_signer_certificate(cert, other_certs, vc)
        finally:
            await vc.aclose()  # release the fetchers' HTTP session inside this event loop

    asyncio.run(_run())


async def async_check_signer_certificate(
    cert: x509.Certificate,
    other_certs: Sequence[x509.Certificate],
    vc: ValidationContext,
) -> None:
    validator = CertificateValidator(cert, intermediate_certs=list(other_certs), validation_context=vc)
    try:
        await validator.async_validate_usage({"non_repudiation"})
    except cv_errors.RevokedError as e:
        raise CertificateRevokedError(detail=str(e)) from None
    except (cv_errors.ExpiredError, cv_errors.NotYetValidError) as e:
        raise CertificateExpiredError(detail=str(e)) from None
    except cv_errors.InsufficientRevinfoError as e:
        raise RevocationUnavailableError(detail=str(e)) from None
    except (
        cv_errors.PathBuildingError, cv_errors.PathValidationError, cv_errors.InvalidCertificateError
    ) as e:
        raise CertificateNotTrustedError(detail=str(e)) from None


# -- signing ---------------------------------------------------------------------------------

def _reader_writer(pdf: bytes) -> IncrementalPdfFileWriter:
    try:
        return IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    except (PdfError, ValueError, KeyError) as e:
        raise InvalidPdfError(detail=str(e)) from None


def _map_signing_failure(e: BaseException, level: PadesLevel) -> SignatureError:
    for c in _cause_chain(e):
        if isinstance(c, SignatureError):
            return c
        if isinstance(c, TimestampRequestError):
            return TimestampUnavailableError(detail=str(c))
        if isinstance(c, cv_errors.RevokedError):
            return CertificateRevokedError(detail=str(c))
        if isinstance(c, (cv_errors.ExpiredError, cv_errors.NotYetValidError)):
            return CertificateExpiredError(detail=str(c))
    for c in _cause_chain(e):
        if isinstance(c, (OSError, asyncio.TimeoutError)) and level != PadesLevel.B_B:
            return TimestampUnavailableError(detail=f"{type(c).__name__}: {c}")
    return SignatureError(detail=f"{type(e).__name__}: {e}")


def _sign(
    pdf: bytes,
    signer: signers.Signer,
    *,
    trust: TrustSettings,
    level: PadesLevel,
    box: SignatureBox | None,
    appearance_pdf: bytes | None,
    field_name: str,
    name: str | None,
    reason: str | None,
    location: str | None,
    check_certificate: bool = True,
) -> bytes:
    level = PadesLevel(level)
    w = _reader_writer(pdf)
    other_certs = list(signer.cert_registry) if signer.cert_registry is not None else []
    if level != PadesLevel.B_B and not trust.tsa_url:
        timestamper_for(trust)  # raises the Thai "no TSA configured" error
    field_spec = fields.SigFieldSpec(
        sig_field_name=field_name,
        **({"on_page": box.page_index, "box": box.rect} if box is not None else {}),
    )
    stamp_style = appearance.static_style(appearance_pdf) if box is not None and appearance_pdf else None
    reserve = _contents_reservation(signer, other_certs, level)

    async def _run():
        # One event loop and one HTTP session for the certificate check, the revocation data
        # and the timestamp: OCSP/CRL responses fetched by the check are reused for B-LT.
        async with http_session() as session:
            vc = trust.validation_context(
                allow_fetching=True, fetcher_backend=AIOHttpFetcherBackend(session=session)
            )
            if check_certificate:
                await async_check_signer_certificate(signer.signing_cert, other_certs, vc)
            meta = signers.PdfSignatureMetadata(
                field_name=field_name,
                md_algorithm="sha256",
                subfilter=SigSeedSubFilter.PADES,
                name=name,
                reason=reason,
                location=location,
                embed_validation_info=level.rank >= PadesLevel.B_LT.rank,
                use_pades_lta=level == PadesLevel.B_LTA,
                validation_context=vc if level.rank >= PadesLevel.B_LT.rank else None,
            )
            pdf_signer = signers.PdfSigner(
                meta, signer,
                timestamper=timestamper_for(trust, session) if level != PadesLevel.B_B else None,
                stamp_style=stamp_style, new_field_spec=field_spec,
            )
            try:
                return await pdf_signer.async_sign_pdf(w, output=BytesIO(), bytes_reserved=reserve)
            except SigningError as e:
                if "larger than expected" not in str(e):
                    raise
                # Generous fixed reservation was still too small: let pyHanko estimate.
                return await pdf_signer.async_sign_pdf(_reader_writer(pdf), output=BytesIO())

    try:
        out = asyncio.run(_run())
    except SignatureError:
        raise
    except Exception as e:  # noqa: BLE001 - mapped to a Thai error; nothing was written to `pdf`
        mapped = _map_signing_failure(e, level)
        logger.warning("signing failed: %s (%s)", mapped.code, mapped.detail)
        raise mapped from None
    return out.getvalue()


def _contents_reservation(signer: signers.Signer, other_certs, level: PadesLevel) -> int:
    """A fixed, generous /Contents size instead of pyHanko's estimate, which builds and signs a
    whole dummy CMS first (~35 ms): certificates + 4 KiB, + 6 KiB for the timestamp token.
    Hex-encoded, hence x2. Too small is handled by a retry with pyHanko's estimate."""
    cert_bytes = len(signer.signing_cert.dump()) + sum(len(c.dump()) for c in other_certs)
    return 2 * (cert_bytes + 4096 + (6144 if level != PadesLevel.B_B else 0))


def _new_field_name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def sign_letter(
    pdf: bytes,
    credential: Credential,
    secret: str | bytes | None,
    *,
    trust: TrustSettings,
    level: PadesLevel | str = DEFAULT_LEVEL,
    box: SignatureBox | None = None,
    signer_name: str | None = None,
    position: str | None = None,
    reason: str | None = None,
    location: str | None = None,
    signed_at: datetime | None = None,
    field_name: str | None = None,
) -> bytes:
    """Sign ``pdf`` (the issued, rendered letter, or one already signed: a further approval
    signature) at ``level``. With ``box`` the signature is visible there, its appearance
    (signer, position, date and time in BE) drawn by WeasyPrint. Returns the signed bytes."""
    level = PadesLevel(level)
    with open_signer(credential, secret) as signer:
        name = signer_name or signer.signing_cert.subject.native.get("common_name")
        app = None
        if box is not None:
            app = appearance.signature_appearance_pdf(
                name, position, signed_at or datetime.now(timezone.utc), box.w, box.h
            )
        return _sign(
            pdf, signer, trust=trust, level=level, box=box, appearance_pdf=app,
            field_name=field_name or _new_field_name("Signature"),
            name=name, reason=reason, location=location,
        )


# -- receipt stamps --------------------------------------------------------------------------

RECEIPT_W, RECEIPT_H = 150.0, 78.0  # about 5.3 x 2.8 cm
RECEIPT_MARGIN = 14.0
RECEIPT_GAP = 6.0


def _existing_widget_rects(reader: PdfFileReader, page_ix: int) -> list[tuple[float, float, float, float]]:
    page = _page_obj(reader, page_ix)
    rects = []
    for a in page.get("/Annots", []) or []:
        a = a.get_object()
        if a.get("/Subtype") == "/Widget" and "/Rect" in a:
            x1, y1, x2, y2 = (float(v) for v in a["/Rect"])
            rects.append((min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)))
    return rects


def _page_obj(reader: PdfFileReader, page_ix: int):
    page_ref, _ = reader.find_page_for_modification(page_ix)
    return page_ref.get_object()


def _media_box(page) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = (float(v) for v in page["/MediaBox"])
    return (x1, y1, x2, y2)


def _overlaps(a, b) -> bool:
    return not (a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1])


def receipt_stamp_box(pdf: bytes, w: float = RECEIPT_W, h: float = RECEIPT_H) -> SignatureBox:
    """Top right of page 1; beside (to the left of) earlier stamps, or below them when the row is full."""
    r = PdfFileReader(BytesIO(pdf), strict=False)
    page = _page_obj(r, 0)
    x1, y1, x2, y2 = _media_box(page)
    taken = _existing_widget_rects(r, 0)
    top = y2 - RECEIPT_MARGIN
    while top - h >= y1:
        x = x2 - RECEIPT_MARGIN - w
        while x >= x1 + (x2 - x1) / 2 - w / 2:  # keep to the right half of the page
            cand = (x, top - h, x + w, top)
            if not any(_overlaps(cand, t) for t in taken):
                return SignatureBox(page=1, x=cand[0], y=cand[1], w=w, h=h)
            x -= w + RECEIPT_GAP
        top -= h + RECEIPT_GAP
    raise SignatureError("ไม่มีที่ว่างสำหรับตรารับหนังสือบนหน้าแรก", detail="no free slot for receipt stamp")


def add_receipt_stamp(
    pdf: bytes,
    seal: Credential,
    secret: str | bytes | None,
    *,
    trust: TrustSettings,
    agency_name: str,
    receipt_no: str,
    received_at: datetime,
    level: PadesLevel | str = DEFAULT_LEVEL,
    box: SignatureBox | None = None,
) -> bytes:
    """ตรารับหนังสือ as a visible approval signature of the receiving agency's seal.

    Works on signed and unsigned PDFs alike; earlier signatures stay valid (the stamp is a new
    signature field in an incremental update, which pyHanko rates as form filling)."""
    level = PadesLevel(level)
    try:
        box = box or receipt_stamp_box(pdf)
    except (PdfError, ValueError, KeyError) as e:
        raise InvalidPdfError(detail=str(e)) from None
    app = appearance.receipt_stamp_pdf(agency_name, receipt_no, received_at, box.w, box.h)
    with open_signer(seal, secret) as signer:
        return _sign(
            pdf, signer, trust=trust, level=level, box=box, appearance_pdf=app,
            field_name=_new_field_name("Receipt"),
            name=agency_name, reason=f"ตรารับหนังสือ เลขรับ {receipt_no}", location=None,
        )


# -- renewal ---------------------------------------------------------------------------------

def last_timestamp_expiry(pdf: bytes) -> datetime | None:
    """notAfter of the TSA certificate of the last document timestamp (None if there is none)."""
    r = PdfFileReader(BytesIO(pdf), strict=False)
    ts = r.embedded_timestamp_signatures
    if not ts:
        return None
    return ts[-1].signer_cert["tbs_certificate"]["validity"]["not_after"].native


def needs_archive_renewal(
    pdf: bytes, *, margin: timedelta = timedelta(days=365), now: datetime | None = None
) -> bool:
    """True when the last archive timestamp's TSA certificate expires within ``margin``
    (renew well before: once it has expired the chain can no longer be extended)."""
    expiry = last_timestamp_expiry(pdf)
    if expiry is None:
        return False
    return expiry - (now or datetime.now(timezone.utc)) <= margin


def renew_archive_timestamp(pdf: bytes, *, trust: TrustSettings) -> bytes:
    """Add a new archive (document) timestamp over a B-LTA file, with the revocation data for the
    previous one in the DSS (PdfTimeStamper.update_archival_timestamp_chain)."""
    r = PdfFileReader(BytesIO(pdf), strict=False)
    if not r.embedded_timestamp_signatures:
        raise RenewalError("เอกสารนี้ไม่มีตราประทับเวลาเพื่อการเก็บรักษาระยะยาว (ไม่ใช่ระดับ B-LTA)")
    async def _run():
        async with http_session() as session:
            vc = trust.validation_context(
                allow_fetching=True, fetcher_backend=AIOHttpFetcherBackend(session=session)
            )
            ts = signers.PdfTimeStamper(timestamper_for(trust, session))
            return await ts.async_update_archival_timestamp_chain(r, vc, in_place=False, output=BytesIO())

    try:
        out = asyncio.run(_run())
    except SignatureError:
        raise
    except Exception as e:  # noqa: BLE001
        mapped = _map_signing_failure(e, PadesLevel.B_LTA)
        raise RenewalError(detail=mapped.detail) if type(mapped) is SignatureError else mapped from None
    return out.getvalue()


def sign_file_in_place(path: str | Path, sign_fn, *args, **kwargs) -> None:
    """Run ``sign_fn(pdf_bytes, ...)`` and replace the file atomically only on success."""
    import os
    import tempfile

    path = Path(path)
    data = path.read_bytes()
    out = sign_fn(data, *args, **kwargs)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(out)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
