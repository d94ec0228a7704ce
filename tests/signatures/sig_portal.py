"""Django-side fixtures for the signatures app: an agency tree, officials, an issued letter with its
rendered PDF, stored credentials and agency settings built from the loopback test PKI.

Imported by the test modules (``from sig_portal import ...``); the PKI/token fixtures come from conftest.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from agencies.models import Agency, Official
from correspondence.models import IncomingItem, Letter, LetterState
from signatures import services
from signatures.models import AgencySigningSettings
from signatures.testing import TEST_PASSPHRASE


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def eager():
    """Run Celery tasks inline (the app's conf is read once, so set it on the app itself)."""
    from eoffice.celery import app

    old = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = old


@pytest.fixture
def tree(db):
    """กระทรวง → กรม → กอง; settings and seals are configured on the ministry and inherited."""
    ministry = Agency.objects.create(level="ministry", name="กระทรวงทดสอบ")
    dept = Agency.objects.create(level="department", name="กรมทดสอบ", parent=ministry)
    division = Agency.objects.create(level="division", name="กองกลาง กรมทดสอบ", parent=dept)
    other = Agency.objects.create(level="ministry", name="กระทรวงผู้รับ")
    other_div = Agency.objects.create(level="division", name="กองสารบรรณ กระทรวงผู้รับ", parent=other)
    return {"ministry": ministry, "dept": dept, "division": division, "other": other, "other_div": other_div}


def make_official(unit, username, first="สมชาย", last="ใจดี", position="ผู้อำนวยการกองกลาง"):
    user = get_user_model().objects.create_user(username=username, password="x" * 12)
    return Official.objects.create(user=user, title="นาย", first_name=first, last_name=last, position=position,
                                   unit=unit)


@pytest.fixture
def official(tree):
    return make_official(tree["division"], "signer1")


@pytest.fixture
def trust_anchor(db, pki):
    from asn1crypto import pem

    return services.trusted_certificate_add(data=pem.armor("CERTIFICATE", pki.root.dump()), name="Test Root")


@pytest.fixture
def ministry_settings(tree, pki, trust_anchor):
    s = AgencySigningSettings.objects.create(agency=tree["ministry"], level="B-LTA", tsa_url=pki.tsa_url)
    s.trust_anchors.add(trust_anchor)
    s2 = AgencySigningSettings.objects.create(agency=tree["other"], level="B-T", tsa_url=pki.tsa_url)
    s2.trust_anchors.add(trust_anchor)
    return s


@pytest.fixture
def p12_bytes(pki):
    return {label: pki.pkcs12_file(label, TEST_PASSPHRASE).read_bytes()
            for label in ("official", "seal-a", "seal-b", "revoked", "expired")}


@pytest.fixture
def p12_credential(official, p12_bytes):
    return services.credential_pkcs12_add(data=p12_bytes["official"], official=official, label="บัตรของสมชาย")


def make_letter(unit, official, pdf: bytes, state=LetterState.ISSUED, number="ทส 0001/2569") -> Letter:
    letter = Letter.objects.create(
        kind="external", state=state, subject="ขอเชิญประชุม", issuing_unit=unit, owner_unit=unit,
        signer=official, created_by=official.user, number=number, issued_on=dt.date(2026, 11, 20),
    )
    letter.pdf.save("letter.pdf", ContentFile(pdf), save=True)
    return letter


@pytest.fixture
def letter(media, tree, official, letter_pdf):
    return make_letter(tree["division"], official, letter_pdf)


def make_item(unit, pdf: bytes | None, receipt_number="รับ 15/2569") -> IncomingItem:
    now = timezone.now()
    item = IncomingItem.objects.create(
        unit=unit, channel="portal", sender_text="กรมทดสอบ", subject="ขอเชิญประชุม", received_at=now,
        receipt_number=receipt_number, registered_at=now, state="registered",
    )
    if pdf is not None:
        item.pdf.save("incoming.pdf", ContentFile(pdf), save=True)
    return item


def read(fieldfile) -> bytes:
    with fieldfile.open("rb") as f:
        return f.read()
