"""Writes of the signatures app: credentials, signing letters, receipt stamps, validation reports,
archive-timestamp renewal.

Secrets (an official's passphrase or PIN) are parameters only: never assigned to a model, a task
argument or a log line. ``sensitive_variables`` keeps them out of Django's error reports too.
"""
from __future__ import annotations

import hashlib
import logging
from contextlib import contextmanager
from datetime import datetime, timedelta
from io import BytesIO
from typing import Callable, Iterator

from asn1crypto import pem, x509
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone as djtz
from django.views.decorators.debug import sensitive_variables
from redis.exceptions import RedisError

from correspondence.models import IncomingItem, Letter, LetterState

from . import crypto, pades, selectors, validation
from .credentials import Credential, PKCS11Credential, PKCS12Credential
from .errors import AlreadySignedError, RenewalError, SignatureError
from .models import (
    CertificateKind,
    CredentialKind,
    JobState,
    LetterArchive,
    LetterSignature,
    ReceiptStamp,
    ReportStatus,
    SignatureReport,
    SigningCredential,
    SigningJob,
    StampState,
    TrustedCertificate,
)

logger = logging.getLogger(__name__)


class LetterNotReadyError(SignatureError):
    code = "letter_not_ready"
    default_message = "หนังสือยังไม่พร้อมลงนาม ต้องออกเลขและสร้างแฟ้ม PDF ก่อน"


class NoCredentialError(SignatureError):
    code = "no_credential"
    default_message = "ยังไม่ได้ตั้งค่ากุญแจสำหรับลงลายมือชื่อของท่าน กรุณาติดต่อผู้ดูแลระบบ"


class ConcurrentChangeError(SignatureError):
    code = "concurrent_change"
    default_message = "แฟ้มหนังสือถูกเปลี่ยนระหว่างลงนาม เอกสารยังไม่ถูกลงนาม กรุณาลองใหม่อีกครั้ง"


class SecretExpiredError(SignatureError):
    code = "secret_expired"
    default_message = "หมดเวลารอการลงนาม กรุณาใส่รหัสผ่านหรือรหัส PIN แล้วสั่งลงนามใหม่อีกครั้ง"


class StoredCredentialError(SignatureError):
    code = "credential_unreadable"
    default_message = "อ่านกุญแจที่เก็บไว้ไม่ได้ (กุญแจเข้ารหัสของระบบไม่ตรงกัน) กรุณาติดต่อผู้ดูแลระบบ"


class SecretRequiredError(SignatureError):
    code = "secret_required"
    default_message = "กรุณาใส่รหัส PIN หรือรหัสผ่านของกุญแจลงนาม เอกสารยังไม่ถูกลงนาม"


class SigningUnavailableError(SignatureError):
    code = "signing_unavailable"
    default_message = ("ลงนามไม่ได้ชั่วคราว (ระบบคิวงานไม่พร้อม) หนังสือยังไม่ถูกลงนามและไม่มีการเปลี่ยนแปลง "
                       "กรุณาลองใหม่ภายหลัง")


SIGNABLE_STATES = (LetterState.ISSUED, LetterState.SIGNED)
BEFORE_ISSUE_STATES = (LetterState.DRAFT, LetterState.IN_REVIEW, LetterState.APPROVED)
# A job not finished this long after it started is no longer "under way": its secret (one minute) is long
# gone, so a new signing may start. Within it, a second click gets the job already running.
JOB_IN_PROGRESS_WINDOW = timedelta(seconds=crypto.JOB_SECRET_TTL * 5)
# Levels that need no network beyond the certificate check are signed inside the request.
SYNC_LEVELS = (pades.PadesLevel.B_B.value,)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- configuration -----------------------------------------------------------------------------------

def trusted_certificate_add(*, data: bytes, name: str = "", kind: str = CertificateKind.ANCHOR) -> TrustedCertificate:
    """Store an uploaded PEM or DER certificate (idempotent by fingerprint)."""
    try:
        if pem.detect(data):
            _, _, data = pem.unarmor(data)
        cert = x509.Certificate.load(data)
        cert.native  # noqa: B018 - parse fully now so a bad upload fails here
    except Exception as e:  # noqa: BLE001
        raise ValueError("แฟ้มใบรับรองไม่ถูกต้อง (ต้องเป็น X.509 แบบ PEM หรือ DER)") from e
    digest = cert.sha256.hex()
    obj, _ = TrustedCertificate.objects.get_or_create(
        sha256=digest,
        defaults={
            "der": cert.dump(), "kind": kind, "subject": cert.subject.human_friendly,
            "name": name or cert.subject.native.get("common_name", digest[:16]),
            "not_after": cert["tbs_certificate"]["validity"]["not_after"].native,
        },
    )
    return obj


@sensitive_variables("seal_secret")
def credential_pkcs12_add(
    *, data: bytes, official=None, agency=None, label: str = "", seal_secret: str | None = None
) -> SigningCredential:
    """An official's or a seal's PKCS#12 file, encrypted at rest. ``seal_secret`` (seals only) is
    stored encrypted because receipt stamps run without anyone to type it."""
    if official is not None and seal_secret:
        raise ValueError("รหัสผ่านของเจ้าหน้าที่ไม่ถูกเก็บไว้ในระบบ จะถามทุกครั้งที่ลงนาม")
    cred = SigningCredential(
        kind=CredentialKind.PKCS12, official=official, agency=agency, label=label,
        pkcs12_encrypted=crypto.encrypt(data), pkcs12_sha256=_sha256(data),
        secret_encrypted=crypto.encrypt(seal_secret.encode("utf-8")) if seal_secret else "",
    )
    cred.full_clean(exclude=["pkcs12_encrypted", "secret_encrypted"])
    cred.save()
    return cred


@sensitive_variables("seal_secret")
def credential_pkcs11_add(
    *, lib_path: str, key_label: str, token_label: str = "", slot_no: int | None = None, cert_label: str = "",
    official=None, agency=None, label: str = "", seal_secret: str | None = None,
) -> SigningCredential:
    if official is not None and seal_secret:
        raise ValueError("รหัส PIN ของเจ้าหน้าที่ไม่ถูกเก็บไว้ในระบบ จะถามทุกครั้งที่ลงนาม")
    cred = SigningCredential(
        kind=CredentialKind.PKCS11, official=official, agency=agency, label=label, lib_path=lib_path,
        key_label=key_label, token_label=token_label, slot_no=slot_no, cert_label=cert_label,
        secret_encrypted=crypto.encrypt(seal_secret.encode("utf-8")) if seal_secret else "",
    )
    cred.full_clean(exclude=["pkcs12_encrypted", "secret_encrypted"])
    cred.save()
    return cred


@contextmanager
def library_credential(cred: SigningCredential, intermediates=()) -> Iterator[Credential]:
    """The library's credential for a stored one; a PKCS#12 file is decrypted into memory only."""
    if cred.kind == CredentialKind.PKCS11:
        yield PKCS11Credential(
            lib_path=cred.lib_path, key_label=cred.key_label, token_label=cred.token_label or None,
            slot_no=cred.slot_no, cert_label=cred.cert_label or None, extra_certs=tuple(intermediates),
        )
        return
    try:
        data = crypto.decrypt(cred.pkcs12_encrypted)
    except crypto.DecryptionError:
        raise StoredCredentialError(detail=f"credential {cred.pk} cannot be decrypted") from None
    with crypto.plaintext_file(data, name=f"cred-{cred.pk}") as path:
        yield PKCS12Credential(path=path, extra_certs=tuple(intermediates))


def _seal_secret(cred: SigningCredential) -> str | None:
    if not cred.secret_encrypted:
        return None
    try:
        return crypto.decrypt(cred.secret_encrypted).decode("utf-8")
    except crypto.DecryptionError:
        raise StoredCredentialError(detail=f"seal {cred.pk} secret cannot be decrypted") from None


# -- storing new PDF bytes -------------------------------------------------------------------------

def _save_new_file(fieldfile, data: bytes) -> str:
    """Write ``data`` as a new file beside the current one; the caller swaps the field after."""
    instance, field = fieldfile.instance, fieldfile.field
    base = (fieldfile.name or "document.pdf").rsplit("/", 1)[-1]
    stem = base[:-4] if base.lower().endswith(".pdf") else base
    stem = stem.split("--", 1)[0]
    name = field.generate_filename(instance, f"{stem}--{djtz.now():%Y%m%dT%H%M%S}.pdf")
    return fieldfile.storage.save(name, ContentFile(data))


def _swap_pdf(model, pk: int, expected_name: str, new_name: str, storage, **updates):
    """Point the row's ``pdf`` at ``new_name`` if it still holds ``expected_name`` (write the new file
    first, then update the field: a crash in between leaves the old, complete file in place)."""
    obj = model.objects.select_for_update().get(pk=pk)
    if obj.pdf.name != expected_name:
        storage.delete(new_name)
        raise ConcurrentChangeError(detail=f"{model.__name__} {pk} pdf changed from {expected_name} to {obj.pdf.name}")
    obj.pdf.name = new_name
    for k, v in updates.items():
        setattr(obj, k, v)
    obj.save(update_fields=["pdf", *updates])
    return obj


def _signature_info(pdf: bytes, field_name: str) -> dict:
    from pyhanko.pdf_utils.reader import PdfFileReader

    r = PdfFileReader(BytesIO(pdf), strict=False)
    for emb in r.embedded_regular_signatures:
        if emb.field_name == field_name:
            c = emb.signer_cert
            return {
                "signer_common_name": c.subject.native.get("common_name", "")[:255],
                "certificate_serial": format(c.serial_number, "x"),
                "certificate_sha256": c.sha256.hex(),
            }
    raise SignatureError(detail=f"signature field {field_name} not found after signing")


def _update_archive(letter_id: int, pdf: bytes, *, renewed: bool = False) -> None:
    expiry = pades.last_timestamp_expiry(pdf)
    if expiry is None:
        return
    archive, created = LetterArchive.objects.get_or_create(letter_id=letter_id, defaults={"expires_at": expiry})
    archive.expires_at = expiry
    archive.last_error = ""
    if renewed:
        archive.renewed_at = djtz.now()
        archive.renewals += 1
    archive.save()


# -- signing letters ---------------------------------------------------------------------------------

Progress = Callable[[int, str], None]


def _check_letter(letter: Letter) -> None:
    detail = f"letter {letter.pk} state={letter.state} pdf={bool(letter.pdf)}"
    if letter.state not in SIGNABLE_STATES:
        raise LetterNotReadyError(_not_signable_th(letter), detail=detail)
    if not letter.pdf:
        raise LetterNotReadyError(detail=detail)


def _not_signable_th(letter: Letter) -> str:
    """The state as the reason (a sent or cancelled letter is not "waiting to be issued")."""
    from correspondence.services.letters import state_refusal_th

    if letter.state in BEFORE_ISSUE_STATES:
        return f"{state_refusal_th(letter, 'ลงนาม')} (ลงนามได้เมื่อออกเลขแล้ว)"
    return state_refusal_th(letter, "ลงนาม", done_in=(LetterState.SENT,))


def _credential_for(official, credential: SigningCredential | None) -> SigningCredential:
    cred = credential or selectors.official_credential(official)
    if cred is None or not cred.active:
        raise NoCredentialError(detail=f"official {official.pk} has no active credential")
    if cred.official_id != official.pk:
        raise NoCredentialError(detail=f"credential {cred.pk} does not belong to official {official.pk}")
    return cred


@sensitive_variables("secret")
def letter_sign(
    *, letter: Letter, official, secret: str | None, credential: SigningCredential | None = None,
    box: pades.SignatureBox | None = None, reason: str | None = None, progress: Progress | None = None,
    job: SigningJob | None = None,
) -> LetterSignature:
    """Sign the letter's PDF now (the first signature or a further approval one) at the issuing
    agency's level. On any failure a ``SignatureError`` with the Thai message is raised and the
    letter's file and row are exactly as before."""
    progress = progress or (lambda pct, msg: None)
    _check_letter(letter)
    if LetterSignature.objects.filter(letter=letter, official=official).exists():
        raise AlreadySignedError(detail=f"official {official.pk} already signed letter {letter.pk}")
    cred = _credential_for(official, credential)
    eff = selectors.signing_settings_for(letter.issuing_unit)
    original_name = letter.pdf.name
    progress(10, "กำลังเตรียมเอกสาร")
    with letter.pdf.open("rb") as f:
        pdf = f.read()
    field_name = f"Signature-{letter.pk}-{djtz.now():%Y%m%d%H%M%S%f}"
    progress(20, "กำลังตรวจสอบใบรับรองและลงลายมือชื่อ")
    with library_credential(cred, eff.intermediates) as lib_cred:
        signed = pades.sign_letter(
            pdf, lib_cred, secret, trust=eff.trust(), level=eff.level, box=box,
            signer_name=official.display_name, position=official.position, reason=reason,
            field_name=field_name,
        )
    progress(85, "กำลังบันทึกเอกสารที่ลงนามแล้ว")
    info = _signature_info(signed, field_name)
    new_name = _save_new_file(letter.pdf, signed)
    try:
        with transaction.atomic():
            _swap_pdf(Letter, letter.pk, original_name, new_name, letter.pdf.storage, state=LetterState.SIGNED)
            order = (LetterSignature.objects.filter(letter=letter).aggregate(m=Max("order"))["m"] or 0) + 1
            sig = LetterSignature.objects.create(
                letter=letter, order=order, official=official, credential=cred, job=job, field_name=field_name,
                level=eff.level, pdf_sha256=_sha256(signed), signed_at=djtz.now(), **info,
            )
            if eff.level == pades.PadesLevel.B_LTA.value:
                _update_archive(letter.pk, signed)
    except ConcurrentChangeError:
        raise
    except Exception:
        letter.pdf.storage.delete(new_name)
        raise
    letter.refresh_from_db(fields=["pdf", "state"])
    logger.info("letter %s signed by official %s (%s, order %s)", letter.pk, official.pk, eff.level, sig.order)
    return sig


@sensitive_variables("secret")
def signing_job_start(
    *, letter: Letter, official, secret: str | None, credential: SigningCredential | None = None,
    box: pades.SignatureBox | None = None, reason: str = "",
) -> SigningJob:
    """Called by the web request that received the passphrase/PIN. Light levels (B-B) are signed
    right here; heavier ones go to the ``signatures.sign_letter`` task, which gets only the job id:
    the secret travels as ciphertext on the job row, its one-minute key in the cache.

    A refusal leaves no job row. A second request while this official's job for the letter is under
    way (a double click) gets that job back instead of a second one racing it."""
    with transaction.atomic():
        # The letter's row lock makes concurrent starts for it take turns through the checks below.
        letter = Letter.objects.select_for_update().get(pk=letter.pk)
        _check_letter(letter)
        if LetterSignature.objects.filter(letter=letter, official=official).exists():
            raise AlreadySignedError(detail=f"official {official.pk} already signed letter {letter.pk}")
        cred = _credential_for(official, credential)
        running = _job_in_progress(letter, official)
        if running is not None:
            return running
        if not secret:
            raise SecretRequiredError(detail=f"empty secret for letter {letter.pk}")
        level = selectors.signing_settings_for(letter.issuing_unit).level
        job = SigningJob.objects.create(
            letter=letter, official=official, credential=cred, level=level, reason=reason,
            box=[box.page, box.x, box.y, box.w, box.h] if box else None, message="รอดำเนินการ",
        )
        if level not in SYNC_LEVELS:
            _job_seal_and_queue(job, secret)
    if level in SYNC_LEVELS:
        _job_execute(job, secret)
    return job


def _job_in_progress(letter: Letter, official) -> SigningJob | None:
    since = djtz.now() - JOB_IN_PROGRESS_WINDOW
    unfinished = SigningJob.objects.filter(letter=letter, official=official, created_at__gte=since,
                                           state__in=(JobState.QUEUED, JobState.RUNNING))
    return unfinished.order_by("-created_at").first()


@sensitive_variables("secret")
def _job_seal_and_queue(job: SigningJob, secret: str) -> None:
    """Seal the secret on the job row (its key in the cache); the task is queued after commit. A cache
    that cannot take the key refuses the start: the caller's transaction drops the job row."""
    try:
        sealed = crypto.seal_job_secret(job.pk, secret)
    except (RedisError, OSError) as e:
        raise SigningUnavailableError(detail=f"job key not stored: {type(e).__name__}") from None
    SigningJob.objects.filter(pk=job.pk).update(sealed_secret=sealed)
    transaction.on_commit(lambda: _job_queue(job.pk))


def _job_queue(job_id: int) -> None:
    """Hand the job to a worker; a broker that refuses it closes the job as failed, with the Thai reason,
    instead of a job that waits for ever (and its sealed secret is dropped)."""
    from .tasks import sign_letter_job

    try:
        sign_letter_job.delay(job_id)
    except Exception as e:  # noqa: BLE001 - kombu/redis errors vary by transport
        crypto.discard_job_secret(job_id)
        SigningJob.objects.filter(pk=job_id).update(sealed_secret="")
        refused = SigningUnavailableError(detail=f"queue: {type(e).__name__}")
        _job_fail(SigningJob.objects.get(pk=job_id), refused)


def issued_letter_signing_start(*, letter: Letter, official, secret: str | None, by) -> SigningJob:
    """Sign an issued letter from the page or the API: its PDF is made first if it has none yet (issued
    before the file was made), then the signing job starts."""
    if letter.state == LetterState.ISSUED and not letter.pdf:
        from correspondence.services import documents

        letter = documents.letter_pdf_render(letter, by=by)
    return signing_job_start(letter=letter, official=official, secret=secret)


def signing_job_run(job_id: int) -> str:
    """The task's body: open the job's secret (once), sign, record the outcome on the job."""
    job = SigningJob.objects.select_related("letter", "official", "credential").get(pk=job_id)
    if job.state in (JobState.DONE, JobState.FAILED):
        crypto.discard_job_secret(job.pk)
        return job.state
    sig = LetterSignature.objects.filter(job=job).first()
    if sig is not None:  # redelivered after the signature was committed but before the job was closed
        crypto.discard_job_secret(job.pk)
        SigningJob.objects.filter(pk=job.pk).update(sealed_secret="")
        _job_done(job, sig)
        return job.state
    secret = crypto.open_job_secret(job.pk, job.sealed_secret)
    SigningJob.objects.filter(pk=job.pk).update(sealed_secret="")
    if secret is None:
        _job_fail(job, SecretExpiredError(detail="job key missing or expired"))
        return job.state
    _job_execute(job, secret or None)
    return job.state


@sensitive_variables("secret")
def _job_execute(job: SigningJob, secret: str | None) -> None:
    def progress(pct: int, msg: str) -> None:
        SigningJob.objects.filter(pk=job.pk).update(state=JobState.RUNNING, progress=pct, message=msg)

    box = pades.SignatureBox(*job.box) if job.box else None
    try:
        sig = letter_sign(letter=job.letter, official=job.official, secret=secret, credential=job.credential,
                          box=box, reason=job.reason or None, progress=progress, job=job)
    except SignatureError as e:
        _job_fail(job, e)
        return
    except Exception as e:  # noqa: BLE001 - the official still gets a Thai answer; detail goes to the log
        logger.exception("signing job %s failed unexpectedly: %s", job.pk, type(e).__name__)
        _job_fail(job, SignatureError(detail=type(e).__name__))
        return
    _job_done(job, sig)


def _job_done(job: SigningJob, sig: LetterSignature) -> None:
    job.state, job.progress, job.finished_at = JobState.DONE, 100, djtz.now()
    job.message = f"ลงนามเรียบร้อยแล้ว (ลายมือชื่อลำดับที่ {sig.order}, ระดับ {sig.level})"
    job.error_code = ""
    job.save(update_fields=["state", "progress", "finished_at", "message", "error_code"])


def _job_fail(job: SigningJob, e: SignatureError) -> None:
    logger.warning("signing job %s failed: %s (%s)", job.pk, e.code, e.detail)
    job.state, job.finished_at = JobState.FAILED, djtz.now()
    job.message, job.error_code = str(e)[:500], e.code
    job.save(update_fields=["state", "finished_at", "message", "error_code"])


# -- incoming items: validation report and receipt stamp -------------------------------------------

def incoming_item_validate(item: IncomingItem) -> SignatureReport | None:
    """Validation report of the item's PDF under the receiving agency's trust anchors (idempotent
    per file content)."""
    if not item.pdf:
        return None
    with item.pdf.open("rb") as f:
        pdf = f.read()
    digest = _sha256(pdf)
    existing = SignatureReport.objects.filter(item=item, pdf_sha256=digest).first()
    if existing is not None:
        return existing
    return _report_on(item, pdf, digest)


def _report_on(item: IncomingItem, pdf: bytes, digest: str) -> SignatureReport:
    """A new report on ``pdf`` under the receiving agency's trust anchors, as they are now."""
    policy = selectors.signing_settings_for(item.unit).policy()
    report = validation.validate_pdf(pdf, policy)
    status = selectors.report_status(report)
    return SignatureReport.objects.create(
        item=item, pdf_sha256=digest, report=report, status=status,
        summary_th=selectors.report_summary_th(report, status)[:1000],
    )


def _copies_follow(item: IncomingItem, old_name: str, new_name: str) -> None:
    """Copies routed on before the stamp was on (routing copies the file of the moment) take the stamped
    file, so the unit below receives the letter with the receipt stamp of the unit above. Only copies
    not registered yet: one registered below has its own stamp on its own file."""
    from correspondence.models import ItemState

    for copy in IncomingItem.objects.select_for_update().filter(parent_id=item.pk, pdf=old_name,
                                                                 state=ItemState.RECEIVED):
        copy.pdf.name = new_name
        copy.save(update_fields=["pdf"])


def incoming_item_stamp(item: IncomingItem) -> ReceiptStamp:
    """ตรารับหนังสือ with the receiving agency's seal (inherited up the tree); without a seal the
    registration stands and the stamp row says why there is no stamp."""
    stamp, _ = ReceiptStamp.objects.get_or_create(item=item)
    if stamp.state == StampState.STAMPED:
        return stamp
    if not item.pdf:
        return stamp
    seal = selectors.seal_for(item.unit)
    if seal is None:
        stamp.state, stamp.message = StampState.NO_SEAL, selectors.NO_SEAL_MESSAGE
        stamp.save(update_fields=["state", "message"])
        return stamp
    eff = selectors.signing_settings_for(item.unit)
    original_name = item.pdf.name
    with item.pdf.open("rb") as f:
        pdf = f.read()
    try:
        secret = _seal_secret(seal)
        with library_credential(seal, eff.intermediates) as lib_cred:
            stamped = pades.add_receipt_stamp(
                pdf, lib_cred, secret, trust=eff.trust(), level=eff.level, agency_name=item.unit.name,
                receipt_no=item.receipt_number, received_at=item.registered_at or item.received_at,
            )
        new_name = _save_new_file(item.pdf, stamped)
        with transaction.atomic():
            _swap_pdf(IncomingItem, item.pk, original_name, new_name, item.pdf.storage)
            _copies_follow(item, original_name, new_name)
            stamp.state, stamp.seal, stamp.stamped_at = StampState.STAMPED, seal, djtz.now()
            stamp.message, stamp.pdf_sha256 = "ประทับตรารับแล้ว", _sha256(stamped)
            stamp.received_pdf = original_name
            stamp.save()
    except SignatureError as e:
        logger.warning("receipt stamp for item %s failed: %s (%s)", item.pk, e.code, e.detail)
        stamp.state, stamp.seal, stamp.message = StampState.FAILED, seal, str(e)[:500]
        stamp.save(update_fields=["state", "seal", "message"])
    item.refresh_from_db(fields=["pdf"])
    return stamp


def _as_received(item: IncomingItem) -> bytes | None:
    """The item's PDF as it came: before our receipt stamp if it has one."""
    stamp = ReceiptStamp.objects.filter(item=item).first()
    name = stamp.received_pdf if stamp is not None and stamp.received_pdf else (item.pdf.name if item.pdf else "")
    if not name:
        return None
    storage = item.pdf.storage
    if not storage.exists(name):
        return None
    with storage.open(name, "rb") as f:
        return f.read()


def incoming_item_revalidate(item: IncomingItem) -> SignatureReport | None:
    """Check the signatures of the file as received again, now (a revocation status that could not be
    fetched at registration, a trust anchor added since): a new report, the item page shows the newest."""
    pdf = _as_received(item)
    return None if pdf is None else _report_on(item, pdf, _sha256(pdf))


REVALIDATE_WITHIN_DAYS = 30


def reports_revalidate(*, now: datetime | None = None, limit: int = 200) -> dict:
    """The job: items received in the last 30 days whose newest report waits only for a revocation status
    (the responder was down) are checked again; once it answers, the report says valid or broken."""
    now = now or djtz.now()
    since = now - timedelta(days=REVALIDATE_WITHIN_DAYS)
    newest = SignatureReport.objects.filter(item=OuterRef("item")).order_by("-created_at", "-pk").values("pk")[:1]
    waiting = (SignatureReport.objects.filter(pk=Subquery(newest), status=ReportStatus.WARNING,
                                               item__received_at__gte=since)
               .select_related("item__unit").order_by("created_at")[:limit])
    counts = {"checked": 0, "changed": 0, "failed": 0}
    for old in waiting:
        if not any("revocation_unknown" in s.get("flags", []) for s in old.report.get("signatures", [])):
            continue
        counts["checked"] += 1
        try:
            new = incoming_item_revalidate(old.item)
        except (SignatureError, OSError) as e:
            logger.warning("revalidation of item %s failed: %s", old.item_id, e)
            counts["failed"] += 1
            continue
        counts["changed"] += new is not None and new.status != old.status
    return counts


def incoming_item_process(item_id: int) -> dict:
    """After registration: report on the PDF as received, then stamp it."""
    item = IncomingItem.objects.select_related("unit").get(pk=item_id)
    # A redelivered task finds the report already made from the bytes as received.
    report = SignatureReport.objects.filter(item=item).order_by("created_at").first() or incoming_item_validate(item)
    stamp = incoming_item_stamp(item)
    return {"report": report.status if report else None, "stamp": stamp.state}


def item_registered_handle(item: IncomingItem) -> None:
    """Receiver body: queue the work after commit. Without a PDF there is nothing to stamp."""
    if not item.pdf:
        return
    from .tasks import process_registered_item

    transaction.on_commit(lambda: process_registered_item.delay(item.pk))


# -- archive timestamp renewal ----------------------------------------------------------------------

def archive_timestamps_renew(*, now: datetime | None = None, limit: int = 500) -> dict:
    """Renew the archive timestamp of B-LTA letters whose last one expires within their agency's
    margin. Each letter is independent: one failure is recorded and the rest go on."""
    now = now or djtz.now()
    counts = {"checked": 0, "renewed": 0, "failed": 0}
    # The widest margin any agency may set bounds the scan; each letter then uses its own.
    horizon = now + timedelta(days=3650)
    for archive in (LetterArchive.objects.filter(expires_at__lte=horizon).select_related("letter__issuing_unit")
                    .order_by("expires_at")[:limit]):
        letter = archive.letter
        eff = selectors.signing_settings_for(letter.issuing_unit)
        if archive.expires_at - now > timedelta(days=eff.renew_days_before_expiry):
            continue
        counts["checked"] += 1
        try:
            original_name = letter.pdf.name
            with letter.pdf.open("rb") as f:
                pdf = f.read()
            renewed = pades.renew_archive_timestamp(pdf, trust=eff.trust())
            new_name = _save_new_file(letter.pdf, renewed)
            with transaction.atomic():
                _swap_pdf(Letter, letter.pk, original_name, new_name, letter.pdf.storage)
                _update_archive(letter.pk, renewed, renewed=True)
            counts["renewed"] += 1
        except (SignatureError, OSError) as e:
            counts["failed"] += 1
            detail = getattr(e, "detail", None) or type(e).__name__
            logger.warning("archive timestamp renewal of letter %s failed: %s", letter.pk, detail)
            LetterArchive.objects.filter(pk=archive.pk).update(last_error=str(e)[:500])
    return counts


__all__ = [
    "trusted_certificate_add", "credential_pkcs12_add", "credential_pkcs11_add", "library_credential",
    "issued_letter_signing_start", "letter_sign", "signing_job_start", "signing_job_run", "incoming_item_validate", "incoming_item_stamp",
    "incoming_item_process", "item_registered_handle", "archive_timestamps_renew", "RenewalError",
    "LetterNotReadyError", "NoCredentialError", "ConcurrentChangeError", "SecretExpiredError",
    "SecretRequiredError", "SigningUnavailableError",
]
