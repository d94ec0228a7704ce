"""Signing refused or failed, as the signer sees it on the letter's page and as an API client sees it: a Thai
reason, a structured answer (never a 500), and nothing changed: the letter's file and state, no signature row,
no stray job; a failed job keeps its reason and signing can start again."""
import pytest
from django.urls import reverse
from django.views.debug import ExceptionReporter
from rest_framework.test import APIClient

from correspondence.models import Letter, LetterState
from correspondence.services import documents, letters
from signatures import services as signing
from signatures.models import AgencySigningSettings, JobState, LetterSignature, SigningCredential, SigningJob
from signatures.testing import TEST_PASSPHRASE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _job_keys_dropped(db):
    """Jobs left queued here keep their one-minute key in the shared Redis: drop them, so a later test that
    checks every key was used sees none of ours."""
    yield
    from signatures import crypto

    for pk in SigningJob.objects.values_list("pk", flat=True):
        crypto.discard_job_secret(pk)


@pytest.fixture
def letter(users, soc, mfa_spec, signing_key):
    """An issued letter of กต with its PDF, for mfa.signer (who has a PKCS#12 key, B-B)."""
    u = users
    draft = letters.letter_create(by=u["mfa.drafter"], content=mfa_spec, signer=u["mfa.signer"].official,
                                  recipients=[{"agency": soc.pk}], reviewers=[u["mfa.reviewer"].official.pk])
    letters.letter_submit(draft, by=u["mfa.drafter"])
    letters.letter_review(draft, by=u["mfa.reviewer"], approve=True)
    letters.letter_issue(draft, by=u["mfa.clerk"])
    return documents.letter_pdf_render(draft, by=u["mfa.clerk"])


@pytest.fixture
def page(users, client, second_factor):
    client.force_login(users["mfa.signer"])
    second_factor(client, users["mfa.signer"])
    return client


@pytest.fixture
def api(users, second_factor):
    client = APIClient()
    client.force_authenticate(users["mfa.signer"])
    second_factor(client, users["mfa.signer"])
    return client


@pytest.fixture
def timestamped(signing_pki, signing_key):
    """B-T for the ministry: signing goes through the job's task."""
    AgencySigningSettings.objects.update(level="B-T", tsa_url=signing_pki.tsa_url)


def sign_on_page(page, letter, secret):
    url = reverse("portal:letter-sign", args=[letter.pk])
    return page.post(url, {"secret": secret}, HTTP_HX_REQUEST="true")


def sign_by_api(api, letter, secret):
    return api.post(f"/api/v1/letters/{letter.pk}/sign/", {"secret": secret}, format="json")


def snapshot(letter):
    row = Letter.objects.get(pk=letter.pk)
    with row.pdf.open("rb") as f:
        return row.state, row.pdf.name, f.read()


def test_an_empty_pin_is_asked_for_and_no_job_is_made(letter, page, api):
    before = snapshot(letter)
    html = sign_on_page(page, letter, "").content.decode()
    assert 'id="sign-error"' in html and "กรุณาใส่รหัส PIN หรือรหัสผ่าน" in html
    answer = sign_by_api(api, letter, "")
    assert answer.status_code == 400
    assert answer.json() == {"signature": [signing.SecretRequiredError.default_message]}
    assert snapshot(letter) == before
    assert not SigningJob.objects.exists() and not LetterSignature.objects.exists()


@pytest.mark.parametrize("state, words", [(LetterState.CANCELLED, "หนังสือนี้ยกเลิกแล้ว จึงลงนามไม่ได้"),
                                          (LetterState.SENT, "หนังสือนี้ส่งแล้ว"),
                                          (LetterState.APPROVED, "ลงนามได้เมื่อออกเลขแล้ว")])
def test_a_letter_not_in_a_signable_state_says_its_state(letter, page, api, state, words):
    Letter.objects.filter(pk=letter.pk).update(state=state)
    html = sign_on_page(page, letter, TEST_PASSPHRASE).content.decode()
    assert words in html and "ต้องออกเลขและสร้างแฟ้ม PDF ก่อน" not in html
    answer = sign_by_api(api, letter, TEST_PASSPHRASE)
    assert answer.status_code == 400 and words in answer.json()["signature"][0]
    assert not SigningJob.objects.exists()


def test_a_plain_form_post_gets_the_refusal_on_the_letters_page(letter, page):
    answer = page.post(reverse("portal:letter-sign", args=[letter.pk]), {"secret": ""}, follow=True)
    html = answer.content.decode()
    assert answer.redirect_chain[-1][0] == reverse("portal:letter", args=[letter.pk])
    assert "กรุณาใส่รหัส PIN หรือรหัสผ่าน" in html and "<html" in html


def test_the_cache_down_refuses_with_no_stray_job(letter, page, api, timestamped, monkeypatch):
    from django.core.cache import cache
    from redis.exceptions import ConnectionError as RedisConnectionError

    def down(*args, **kwargs):
        raise RedisConnectionError("connection refused")

    monkeypatch.setattr(cache, "set", down)
    before = snapshot(letter)
    html = sign_on_page(page, letter, TEST_PASSPHRASE).content.decode()
    assert "ลงนามไม่ได้ชั่วคราว" in html
    answer = sign_by_api(api, letter, TEST_PASSPHRASE)
    assert answer.status_code == 503
    assert answer.json() == {"signature": [signing.SigningUnavailableError.default_message]}
    assert not SigningJob.objects.exists() and snapshot(letter) == before


def test_the_queue_down_closes_the_job_with_its_reason_and_signing_starts_again(
    letter, page, api, timestamped, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from eoffice.celery import app
    from signatures import tasks

    def refused(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    before = snapshot(letter)
    with monkeypatch.context() as m, django_capture_on_commit_callbacks(execute=True):
        m.setattr(tasks.sign_letter_job, "delay", refused)
        html = sign_on_page(page, letter, TEST_PASSPHRASE).content.decode()
    job = SigningJob.objects.get()
    assert (job.state, job.error_code, job.sealed_secret) == (JobState.FAILED, "signing_unavailable", "")
    # (The test's transaction commits after the answer; the page's next poll shows the closed job.)
    assert 'id="sign-job"' in html
    html = page.get(reverse("portal:sign-progress", args=[letter.pk, job.pk])).content.decode()
    assert "ลงนามไม่ได้ชั่วคราว" in html and "ไม่สำเร็จ" in html and "Connection refused" not in html
    assert snapshot(letter) == before
    # Once the queue is back, the same official signs (eagerly here).
    monkeypatch.setattr(app.conf, "task_always_eager", True)
    with django_capture_on_commit_callbacks(execute=True):
        answer = sign_by_api(api, letter, TEST_PASSPHRASE)
    assert answer.status_code == 202
    assert SigningJob.objects.get(pk=answer.json()["id"]).state == JobState.DONE
    assert Letter.objects.get(pk=letter.pk).state == LetterState.SIGNED


def test_a_second_click_gets_the_job_under_way_not_a_second_one(
    letter, page, api, timestamped, django_capture_on_commit_callbacks
):
    from eoffice.celery import app

    with django_capture_on_commit_callbacks(execute=False) as queued:
        sign_on_page(page, letter, TEST_PASSPHRASE)
        job = SigningJob.objects.get()
        again = sign_on_page(page, letter, TEST_PASSPHRASE).content.decode()
        by_api = sign_by_api(api, letter, TEST_PASSPHRASE)
    assert reverse("portal:sign-progress", args=[letter.pk, job.pk]) in again
    assert 'id="sign-error"' not in again
    assert by_api.status_code == 202 and by_api.json()["id"] == job.pk
    assert SigningJob.objects.count() == 1 and len(queued) == 1
    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        queued[0]()
    finally:
        app.conf.task_always_eager = old
    job.refresh_from_db()
    assert job.state == JobState.DONE and LetterSignature.objects.filter(letter=letter).count() == 1


def test_a_job_left_unfinished_long_ago_does_not_block_signing(letter, page, timestamped,
                                                               django_capture_on_commit_callbacks):
    from django.utils import timezone

    with django_capture_on_commit_callbacks(execute=False):
        sign_on_page(page, letter, TEST_PASSPHRASE)
    SigningJob.objects.update(created_at=timezone.now() - signing.JOB_IN_PROGRESS_WINDOW)
    with django_capture_on_commit_callbacks(execute=False):
        sign_on_page(page, letter, TEST_PASSPHRASE)
    assert SigningJob.objects.count() == 2


@pytest.mark.parametrize("case, code, words", [
    ("wrong_pin", "wrong_secret", "รหัสผ่านหรือรหัส PIN ไม่ถูกต้อง"),
    ("revoked", "certificate_revoked", "ถูกเพิกถอน"),
    ("token_unreachable", "credential_not_found", "ไม่พบกุญแจหรือใบรับรอง"),
    ("file_changed", "concurrent_change", "แฟ้มหนังสือถูกเปลี่ยนระหว่างลงนาม"),
])
def test_a_failed_signing_shows_its_thai_reason_and_changes_nothing(
    letter, page, api, users, signing_pki, monkeypatch, case, code, words
):
    from django.core.files.base import ContentFile

    from signatures import pades

    official, secret = users["mfa.signer"].official, TEST_PASSPHRASE
    if case == "wrong_pin":
        secret = "not-the-passphrase"
    elif case == "revoked":
        SigningCredential.objects.update(active=False)
        signing.credential_pkcs12_add(data=signing_pki.pkcs12_file("revoked", TEST_PASSPHRASE).read_bytes(),
                                      official=official)
    elif case == "token_unreachable":
        SigningCredential.objects.update(active=False)
        signing.credential_pkcs11_add(lib_path="/nonexistent/libsofthsm2.so", token_label="eoffice",
                                      key_label="k", official=official)
    elif case == "file_changed":
        real = pades.sign_letter

        def meanwhile(*args, **kwargs):
            out = real(*args, **kwargs)
            other = Letter.objects.get(pk=letter.pk)
            other.pdf.save("other.pdf", ContentFile(other.pdf.open("rb").read()), save=True)
            return out

        monkeypatch.setattr(pades, "sign_letter", meanwhile)
    before = snapshot(letter)
    html = sign_on_page(page, letter, secret).content.decode()
    assert words in html and "ไม่สำเร็จ" in html
    answer = sign_by_api(api, letter, secret)
    assert answer.status_code == 202
    assert (answer.json()["state"], answer.json()["error_code"]) == (JobState.FAILED, code)
    assert words in answer.json()["message"]
    state, _, pdf = after = snapshot(letter)
    assert state == LetterState.ISSUED and b"/ByteRange" not in pdf and not LetterSignature.objects.exists()
    if case != "file_changed":  # there the test itself wrote another file meanwhile
        assert after == before
    assert set(SigningJob.objects.values_list("state", "error_code")) == {(JobState.FAILED, code)}


@pytest.mark.parametrize("via", ["page", "api"])
def test_the_secret_stays_out_of_the_error_report(letter, page, api, monkeypatch, via):
    import secrets

    secret = f"pin-{secrets.token_hex(8)}"  # made at run time: the report also quotes this file's source

    def broken(*, letter, official, secret, by):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(signing, "issued_letter_signing_start", broken)
    client = page if via == "page" else api
    client.raise_request_exception = False
    answer = sign_on_page(page, letter, secret) if via == "page" else sign_by_api(api, letter, secret)
    assert answer.status_code == 500
    report = ExceptionReporter(answer.wsgi_request, *answer.exc_info)
    assert secret not in report.get_traceback_text() and secret not in report.get_traceback_html()


def test_not_the_signer_is_told_and_a_classified_letter_not_granted_does_not_exist(letter, users, client, api,
                                                                                  second_factor):
    clerk = APIClient()
    clerk.force_authenticate(users["mfa.clerk"])
    second_factor(clerk, users["mfa.clerk"])
    answer = sign_by_api(clerk, letter, TEST_PASSPHRASE)
    assert answer.status_code == 403 and answer.json() == {"detail": "เฉพาะผู้ลงนามที่กำหนดไว้เท่านั้น"}
    client.force_login(users["mfa.clerk"])
    second_factor(client, users["mfa.clerk"])
    assert sign_on_page(client, letter, TEST_PASSPHRASE).status_code == 403
    # Classified without a grant to the signer: answered as if there were no such letter.
    Letter.objects.filter(pk=letter.pk).update(secrecy=1)
    client.force_login(users["mfa.signer"])
    second_factor(client, users["mfa.signer"])
    assert sign_on_page(client, letter, TEST_PASSPHRASE).status_code == 404
    assert sign_by_api(api, letter, TEST_PASSPHRASE).status_code == 404
    assert not SigningJob.objects.exists()
