"""Signing a Letter's stored PDF through the services: PKCS#12 and token credentials, further
approval signatures, inherited agency settings, and Thai failures that leave the letter unchanged."""
import pytest

from correspondence.models import LetterState
from signatures import pades, selectors, services, validation
from signatures.models import AgencySigningSettings, JobState, LetterArchive, LetterSignature, SigningJob
from signatures.testing import SAMPLE_SIGNATURE_BOX, TEST_PASSPHRASE

from sig_portal import (  # noqa: F401 - fixtures
    eager, letter, make_letter, make_official, media, ministry_settings, official, p12_bytes, p12_credential, read,
    tree, trust_anchor,
)

BOX = pades.SignatureBox(*SAMPLE_SIGNATURE_BOX)
pytestmark = pytest.mark.django_db


def _snapshot(letter):
    letter.refresh_from_db()
    return letter.pdf.name, read(letter.pdf), letter.state


def test_sign_from_pkcs12_uses_the_inherited_level_and_records_the_signature(
    letter, official, p12_credential, ministry_settings, policy
):
    before = read(letter.pdf)
    sig = services.letter_sign(letter=letter, official=official, secret=TEST_PASSPHRASE, box=BOX)
    letter.refresh_from_db()
    signed = read(letter.pdf)
    assert letter.state == LetterState.SIGNED
    assert signed[: len(before)] == before  # incremental update over the rendered bytes
    assert (sig.order, sig.level, sig.official, sig.signer_common_name) == (1, "B-LTA", official, "นายสมชาย ใจดี")
    report = validation.validate_pdf(signed, policy)
    assert report["ok"], report["summary_th"]
    assert report["signatures"][0]["pades_level"] == "B-LTA"
    assert LetterArchive.objects.get(letter=letter).expires_at == pades.last_timestamp_expiry(signed)
    # History records the state change and the new file (audit trail).
    assert letter.history.first().state == LetterState.SIGNED


def test_further_approval_signature_from_a_token_keeps_order_and_both_valid(
    letter, official, p12_credential, ministry_settings, tree, softhsm, policy
):
    director = make_official(tree["dept"], "director", first="สมศรี", last="มั่นคง", position="อธิบดีกรมทดสอบ")
    services.credential_pkcs11_add(lib_path=softhsm.lib, token_label=softhsm.token_label, key_label="official",
                                   official=director, label="token")
    services.letter_sign(letter=letter, official=official, secret=TEST_PASSPHRASE, box=BOX)
    services.letter_sign(letter=letter, official=director, secret=softhsm.pin)
    sigs = selectors.letter_signatures(letter)
    assert [(s.order, s.official) for s in sigs] == [(1, official), (2, director)]
    report = validation.validate_pdf(read(letter.pdf), policy)
    assert report["ok"], report["summary_th"]
    assert len(report["signatures"]) == 2


def test_agency_own_settings_override_the_parent(letter, official, p12_credential, ministry_settings, tree, pki,
                                                 trust_anchor):
    own = AgencySigningSettings.objects.create(agency=tree["dept"], level="B-B", tsa_url=pki.tsa_url)
    own.trust_anchors.add(trust_anchor)
    assert selectors.signing_settings_for(tree["division"]).source_agency_id == tree["dept"].pk
    sig = services.letter_sign(letter=letter, official=official, secret=TEST_PASSPHRASE)
    assert sig.level == "B-B"
    assert not LetterArchive.objects.filter(letter=letter).exists()


def test_defaults_without_any_settings_are_b_lta(tree):
    eff = selectors.signing_settings_for(tree["division"])
    assert eff.level == "B-LTA" and eff.tsa_url == "" and eff.trust_roots == ()


@pytest.mark.parametrize(
    "case, code, words",
    [
        ("wrong_passphrase", "wrong_secret", "รหัสผ่านหรือรหัส PIN ไม่ถูกต้อง"),
        ("wrong_pin", "wrong_secret", "รหัสผ่านหรือรหัส PIN ไม่ถูกต้อง"),
        ("revoked", "certificate_revoked", "ถูกเพิกถอน"),
        ("expired", "certificate_expired", "หมดอายุ"),
        ("tsa_down", "tsa_unavailable", "ประทับรับรองเวลา"),
        ("no_credential", "no_credential", "ยังไม่ได้ตั้งค่ากุญแจ"),
    ],
)
def test_failures_give_thai_message_and_leave_the_letter_unchanged(
    case, code, words, letter, official, p12_bytes, ministry_settings, softhsm
):
    secret = TEST_PASSPHRASE
    if case == "wrong_passphrase":
        services.credential_pkcs12_add(data=p12_bytes["official"], official=official)
        secret = "not-the-passphrase"
    elif case == "wrong_pin":
        services.credential_pkcs11_add(lib_path=softhsm.lib, token_label=softhsm.token_label, key_label="official",
                                       official=official)
        secret = "000000"
    elif case in ("revoked", "expired"):
        services.credential_pkcs12_add(data=p12_bytes[case], official=official)
    elif case == "tsa_down":
        services.credential_pkcs12_add(data=p12_bytes["official"], official=official)
        AgencySigningSettings.objects.filter(pk=ministry_settings.pk).update(tsa_url="http://127.0.0.1:9/tsa")
    before = _snapshot(letter)
    with pytest.raises(services.SignatureError) as ei:
        services.letter_sign(letter=letter, official=official, secret=secret, box=BOX)
    assert ei.value.code == code
    assert words in str(ei.value)
    assert _snapshot(letter) == before
    assert not LetterSignature.objects.filter(letter=letter).exists()


def test_a_draft_letter_cannot_be_signed(media, tree, official, p12_credential, ministry_settings, letter_pdf):
    draft = make_letter(tree["division"], official, letter_pdf, state=LetterState.DRAFT)
    with pytest.raises(services.LetterNotReadyError) as ei:
        services.letter_sign(letter=draft, official=official, secret=TEST_PASSPHRASE)
    assert "ออกเลข" in str(ei.value)


def test_someone_elses_credential_is_refused(letter, official, tree, p12_bytes, ministry_settings):
    other = make_official(tree["division"], "other")
    cred = services.credential_pkcs12_add(data=p12_bytes["official"], official=other)
    with pytest.raises(services.NoCredentialError):
        services.letter_sign(letter=letter, official=official, secret=TEST_PASSPHRASE, credential=cred)


def test_a_file_changed_during_signing_is_not_overwritten(letter, official, p12_credential, ministry_settings,
                                                          monkeypatch):
    from django.core.files.base import ContentFile

    from correspondence.models import Letter

    real = pades.sign_letter

    def sign_while_someone_else_writes(*a, **kw):
        out = real(*a, **kw)
        other = Letter.objects.get(pk=letter.pk)
        other.pdf.save("other.pdf", ContentFile(b"%PDF-1.7 other"), save=True)
        return out

    monkeypatch.setattr(pades, "sign_letter", sign_while_someone_else_writes)
    with pytest.raises(services.ConcurrentChangeError) as ei:
        services.letter_sign(letter=letter, official=official, secret=TEST_PASSPHRASE)
    assert "ลองใหม่" in str(ei.value)
    letter.refresh_from_db()
    assert read(letter.pdf) == b"%PDF-1.7 other" and letter.state == LetterState.ISSUED
    assert not LetterSignature.objects.exists()


# -- the job path (eager here; tests/signatures/test_secret_never_stored.py runs a real worker) ----

def test_job_runs_the_task_and_reports_progress(letter, official, p12_credential, ministry_settings, eager,
                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.signing_job_start(letter=letter, official=official, secret=TEST_PASSPHRASE, box=BOX)
    status = selectors.signing_job_status(job.pk)
    assert status["state"] == JobState.DONE and status["progress"] == 100
    assert "ลงนามเรียบร้อยแล้ว" in status["message"]
    assert SigningJob.objects.get(pk=job.pk).sealed_secret == ""
    letter.refresh_from_db()
    assert letter.state == LetterState.SIGNED


def test_job_with_wrong_passphrase_fails_in_thai(letter, official, p12_credential, ministry_settings, eager,
                                                 django_capture_on_commit_callbacks):
    before = _snapshot(letter)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.signing_job_start(letter=letter, official=official, secret="wrong")
    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.error_code == "wrong_secret"
    assert "รหัสผ่านหรือรหัส PIN ไม่ถูกต้อง" in job.message
    assert _snapshot(letter) == before


def test_job_whose_key_expired_asks_again(letter, official, p12_credential, ministry_settings,
                                          django_capture_on_commit_callbacks):
    from django.core.cache import cache

    with django_capture_on_commit_callbacks(execute=False):  # nothing dispatched: the worker is "late"
        job = services.signing_job_start(letter=letter, official=official, secret=TEST_PASSPHRASE)
    cache.delete(f"signatures:job-key:{job.pk}")  # what the one-minute TTL does
    assert services.signing_job_run(job.pk) == JobState.FAILED
    job.refresh_from_db()
    assert job.error_code == "secret_expired" and "ใส่รหัสผ่าน" in job.message
    assert job.sealed_secret == ""


def test_b_b_is_signed_inside_the_request(letter, official, p12_credential, ministry_settings,
                                          django_capture_on_commit_callbacks):
    AgencySigningSettings.objects.filter(pk=ministry_settings.pk).update(level="B-B")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.signing_job_start(letter=letter, official=official, secret=TEST_PASSPHRASE)
    assert callbacks == []  # no task
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.sealed_secret == ""


@pytest.mark.sqlite
def test_embedded_install_signs_through_the_job_with_the_file_cache(
    letter, official, p12_credential, ministry_settings, eager, django_capture_on_commit_callbacks, settings
):
    from django.db import connection

    assert connection.vendor == "sqlite"
    assert settings.CACHES["default"]["BACKEND"].endswith("FileBasedCache")  # the per-job key's home here
    with django_capture_on_commit_callbacks(execute=True):
        job = services.signing_job_start(letter=letter, official=official, secret=TEST_PASSPHRASE)
    job.refresh_from_db()
    assert job.state == JobState.DONE, job.message
    assert job.sealed_secret == ""


def test_history_of_signing_records_verifies(letter, official, p12_credential, ministry_settings):
    from django.core.management import call_command

    services.letter_sign(letter=letter, official=official, secret=TEST_PASSPHRASE)
    call_command("verify_audit", stdout=open("/dev/null", "w"))  # raises CommandError on a broken chain


def test_tasks_stay_on_the_project_app_when_another_celery_app_exists(
    letter, official, p12_credential, ministry_settings, eager, django_capture_on_commit_callbacks
):
    from celery import Celery

    from eoffice.celery import app as project_app

    Celery("stray", broker="redis://127.0.0.1:1/0")  # becomes Celery's "current app"
    try:
        with django_capture_on_commit_callbacks(execute=True):
            job = services.signing_job_start(letter=letter, official=official, secret=TEST_PASSPHRASE)
    finally:
        project_app.set_current()
    job.refresh_from_db()
    assert job.state == JobState.DONE, job.message


def test_a_redelivered_task_after_a_committed_signature_does_not_sign_twice(
    letter, official, p12_credential, ministry_settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = services.signing_job_start(letter=letter, official=official, secret=TEST_PASSPHRASE)
    # The worker signed and committed, then died before closing the job (acks_late redelivers).
    services.letter_sign(letter=letter, official=official, secret=TEST_PASSPHRASE, job=job)
    SigningJob.objects.filter(pk=job.pk).update(state=JobState.RUNNING)
    assert services.signing_job_run(job.pk) == JobState.DONE
    assert LetterSignature.objects.filter(letter=letter).count() == 1
    assert SigningJob.objects.get(pk=job.pk).sealed_secret == ""


def test_the_same_official_does_not_sign_twice(letter, official, p12_credential, ministry_settings):
    from signatures.errors import AlreadySignedError

    services.letter_sign(letter=letter, official=official, secret=TEST_PASSPHRASE, box=BOX)
    before = _snapshot(letter)
    with pytest.raises(AlreadySignedError) as refused:
        services.letter_sign(letter=letter, official=official, secret=TEST_PASSPHRASE, box=BOX)
    assert str(refused.value) == "ท่านลงนามหนังสือฉบับนี้แล้ว ไม่ต้องลงนามซ้ำ"
    with pytest.raises(AlreadySignedError):
        services.signing_job_start(letter=letter, official=official, secret=TEST_PASSPHRASE)
    assert _snapshot(letter) == before and LetterSignature.objects.filter(letter=letter).count() == 1
