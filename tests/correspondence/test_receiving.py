"""Receiving details: duplicates, fields read from an uploaded PDF, sending inside the portal."""
import datetime as dt
import io
import json

import pytest
from django.core.files.base import ContentFile
from pypdf import PdfWriter
from rest_framework.test import APIClient

from correspondence.models import Channel, ItemState
from correspondence.services import receiving

pytestmark = pytest.mark.django_db


def test_same_sender_number_and_date_twice_warns_and_links(users, units):
    clerk, soc, moi = users["soc.clerk"], units["สลค."], units["สป.มท."]

    def receive(number):
        item = receiving.incoming_receive(unit=soc, by=clerk, channel=Channel.SCAN, subject="ขอความเห็น",
                                          sender_text="กระทรวงมหาดไทย", sender_agency=moi, their_number=number,
                                          dated=dt.date(2020, 5, 12))
        return receiving.incoming_register(item, by=clerk)

    first, warning = receive("มท ๐๒๑๘/ต.ก.๕๕")
    assert warning is None
    # Typed again with Arabic digits and other spacing: the same number.
    second, warning = receive("มท 0218 / ต.ก.55")
    assert second.their_number_key == first.their_number_key == "มท0218/ต.ก.55"
    assert second.duplicate_of == first and second.receipt_number == "2"
    assert "ลงทะเบียนรับไว้แล้ว เลขรับ 1" in warning
    other, warning = receive("มท ๐๒๑๘/ต.ก.๕๖")
    assert warning is None and other.duplicate_of is None


def test_a_classified_duplicate_the_clerk_cannot_see_is_not_revealed(users, units):
    soc, moi = units["สลค."], units["สป.มท."]
    fields = dict(unit=soc, channel=Channel.SCAN, subject="ขอความเห็น", sender_text="กระทรวงมหาดไทย",
                  sender_agency=moi, their_number="มท ๐๒๑๘/๗", dated=dt.date(2020, 5, 12))
    secret = receiving.incoming_receive(by=users["soc.secret"], secrecy=1, **fields)
    receiving.incoming_register(secret, by=users["soc.secret"])
    plain, warning = receiving.incoming_register(receiving.incoming_receive(by=users["soc.clerk"], **fields),
                                                 by=users["soc.clerk"])
    assert warning is None and plain.duplicate_of is None


def _pdf_with_spec(spec) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_attachment("letter.json", json.dumps(spec, ensure_ascii=False).encode("utf-8"))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_prefill_reads_the_embedded_letter_json(users, mfa_spec):
    spec = {**mfa_spec, "number": "กต ๐๒๐๓/๖๓๘๑", "date": "2020-09-17"}
    client = APIClient()
    client.force_authenticate(users["soc.clerk"])
    r = client.post("/api/v1/items/prefill/", {"pdf": ContentFile(_pdf_with_spec(spec), name="in.pdf")},
                    format="multipart")
    assert r.status_code == 200
    body = r.json()
    assert (body["their_number"], body["dated"], body["sender_text"], body["urgency"], body["source"]) == (
        "กต ๐๒๐๓/๖๓๘๑", "2020-09-17", "กระทรวงการต่างประเทศ", 3, "letter.json")
    assert body["subject"] == mfa_spec["subject"]


def test_routing_only_goes_down_the_tree(users, units):
    clerk, soc = users["soc.clerk"], units["สลค."]
    item = receiving.incoming_receive(unit=soc, by=clerk, channel=Channel.SCAN, subject="ก", sender_text="ข")
    item, _ = receiving.incoming_register(item, by=clerk)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        receiving.item_route(item, by=clerk, to_units=[units["ศทส."]])
    item.refresh_from_db()
    assert item.state == ItemState.REGISTERED and not item.routings.exists()
