"""The nightly job renews the archive timestamp of B-LTA letters nearing expiry, and is scheduled."""
from datetime import timedelta

import pytest
from django_celery_beat.models import PeriodicTask

from signatures import pades, services, validation
from signatures.models import AgencySigningSettings, LetterArchive
from signatures.tasks import renew_archive_timestamps
from signatures.testing import TEST_PASSPHRASE

from sig_portal import (  # noqa: F401 - fixtures
    eager, letter, media, ministry_settings, official, p12_bytes, p12_credential, read, tree, trust_anchor,
)

pytestmark = pytest.mark.django_db


def test_schedule_is_registered_by_the_migration():
    task = PeriodicTask.objects.get(task="signatures.tasks.renew_archive_timestamps")
    assert task.enabled and task.crontab.hour == "2" and task.crontab.minute == "30"
    assert str(task.crontab.timezone) == "Asia/Bangkok"


def test_renews_only_letters_near_expiry(letter, official, p12_credential, ministry_settings, policy, eager):
    services.letter_sign(letter=letter, official=official, secret=TEST_PASSPHRASE)
    archive = LetterArchive.objects.get(letter=letter)
    letter.refresh_from_db()
    before_name, before = letter.pdf.name, read(letter.pdf)

    # Far from expiry: nothing happens (the task as beat runs it).
    assert renew_archive_timestamps.delay().get() == {"checked": 0, "renewed": 0, "failed": 0}
    letter.refresh_from_db()
    assert letter.pdf.name == before_name

    # Thirty days before the TSA certificate expires: renewed.
    counts = services.archive_timestamps_renew(now=archive.expires_at - timedelta(days=30))
    assert counts == {"checked": 1, "renewed": 1, "failed": 0}
    letter.refresh_from_db()
    renewed = read(letter.pdf)
    assert renewed[: len(before)] == before
    report = validation.validate_pdf(renewed, policy)
    assert report["ok"] and len(report["document_timestamps"]) == 2
    archive.refresh_from_db()
    assert archive.renewals == 1 and archive.renewed_at is not None
    assert archive.expires_at == pades.last_timestamp_expiry(renewed)


def test_a_failed_renewal_is_recorded_and_leaves_the_file(letter, official, p12_credential, ministry_settings):
    services.letter_sign(letter=letter, official=official, secret=TEST_PASSPHRASE)
    archive = LetterArchive.objects.get(letter=letter)
    letter.refresh_from_db()
    before = (letter.pdf.name, read(letter.pdf))
    AgencySigningSettings.objects.filter(pk=ministry_settings.pk).update(tsa_url="http://127.0.0.1:9/tsa")
    counts = services.archive_timestamps_renew(now=archive.expires_at - timedelta(days=1))
    assert counts == {"checked": 1, "renewed": 0, "failed": 1}
    letter.refresh_from_db()
    assert (letter.pdf.name, read(letter.pdf)) == before
    archive.refresh_from_db()
    assert "ประทับรับรองเวลา" in archive.last_error and archive.renewals == 0
