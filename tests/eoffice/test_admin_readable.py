"""The admin shows values as the portal does: Buddhist-era dates, and JSON readable (indented, Thai as Thai)."""
import html
import json

import pytest
from django.utils import formats, timezone, translation

from correspondence.models import Channel, RegisterEntry
from correspondence.services import letters, receiving
from eoffice import thai
from eoffice.models import AccessEvent, AccessKind

pytestmark = pytest.mark.django_db


def buddhist_era(value) -> str:
    return f"{thai.format_date(value, 'short_year4')} {thai.format_time(value)}"


def christian_era(value) -> str:
    """What Django's admin printed: its Thai locale's format, with the Christian-era year."""
    with translation.override("th"):
        return formats.localize(timezone.template_localtime(value))


def shows_buddhist_era(client, url, value):
    page = client.get(url)
    assert page.status_code == 200, url
    text = page.content.decode()
    assert buddhist_era(value) in text, url
    assert christian_era(value) not in text, url


def test_records_lists_and_pages_show_buddhist_era_dates(client, users, units, mfa_spec, admin_login):
    from signatures.models import ReportStatus, SignatureReport

    item = receiving.incoming_receive(unit=units["สลค."], by=users["soc.clerk"], channel=Channel.SCAN,
                                      subject="เรื่องวันที่", sender_text="กค")
    item, _ = receiving.incoming_register(item, by=users["soc.clerk"])
    line = RegisterEntry.objects.get(item=item)
    report = SignatureReport.objects.create(item=item, pdf_sha256="0" * 64, report={}, status=ReportStatus.WARNING,
                                            summary_th="ไม่มีลายมือชื่อ")
    event = AccessEvent.objects.create(kind=AccessKind.LOGIN, user=users["soc.clerk"], username="soc.clerk")
    admin_login(client, users["admin"])
    for url, value in (
            ("/admin/correspondence/incomingitem/", item.received_at),
            (f"/admin/correspondence/incomingitem/{item.pk}/change/", item.received_at),
            ("/admin/correspondence/registerentry/", line.registered_at),
            (f"/admin/correspondence/registerentry/{line.pk}/change/", line.registered_at),
            ("/admin/signatures/signaturereport/", report.created_at),
            ("/admin/eoffice/accessevent/", event.at),
            (f"/admin/eoffice/accessevent/{event.pk}/change/", event.at)):
        shows_buddhist_era(client, url, value)
    # The event's title (page title, breadcrumbs) too.
    assert f"{event.at:%Y-%m-%d}" not in client.get(f"/admin/eoffice/accessevent/{event.pk}/change/").content.decode()

    drafter = users["mfa.drafter"]  # the letters listed are those the administrator may read: their own draft
    drafter.is_staff = drafter.is_superuser = True
    drafter.save()
    letter = letters.letter_create(by=drafter, content=mfa_spec, signer=users["mfa.signer"].official)
    admin_login(client, drafter)
    shows_buddhist_era(client, "/admin/correspondence/letter/", letter.created_at)
    shows_buddhist_era(client, f"/admin/correspondence/letter/{letter.pk}/change/", letter.created_at)


def readable(value) -> str:
    return html.escape(json.dumps(value, ensure_ascii=False, indent=2), quote=True)


def test_an_access_events_detail_and_a_letters_content_are_readable_json(client, users, mfa_spec, admin_login):
    event = AccessEvent.objects.create(kind=AccessKind.ROLE, user=users["soc.clerk"], target="user:1",
                                       detail={"change": "role_added", "name": "ผู้ลงนาม <ทดสอบ>"})
    event.refresh_from_db()  # jsonb keeps its own order of keys
    admin_login(client, users["admin"])
    page = client.get(f"/admin/eoffice/accessevent/{event.pk}/change/").content.decode()
    assert f'<pre class="readable-json">{readable(event.detail)}</pre>' in page
    assert "\\u0e1c" not in page and "<ทดสอบ>" not in page  # Thai unescaped, markup escaped

    drafter = users["mfa.drafter"]
    drafter.is_staff = drafter.is_superuser = True
    drafter.save()
    letter = letters.letter_create(by=drafter, content=mfa_spec, signer=users["mfa.signer"].official)
    letter.refresh_from_db()
    admin_login(client, drafter)
    page = client.get(f"/admin/correspondence/letter/{letter.pk}/change/").content.decode()
    assert f'<pre class="readable-json">{readable(letter.content)}</pre>' in page
    assert letter.content["subject"] in page
