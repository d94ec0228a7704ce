"""แก้ไขรายละเอียด: a registry clerk corrects a received item (an e-mail intake item above all, whose details
are what the mail gave) before registering it, by the receiving form's rules; once registered the register
line is the record and nothing changes."""
import datetime as dt

import pytest
from django.urls import reverse

from correspondence.models import Channel, IncomingItem, ItemState, RegisterEntry
from correspondence.services import receiving

pytestmark = pytest.mark.django_db


def _mailed(soc, **fields):
    """An item as the e-mail intake leaves it: what the mail gave, nobody's name on it, in the queue."""
    values = {"subject": "Fwd: หนังสือ", "sender_text": "saraban@mof.go.th", **fields}
    return receiving.incoming_receive(unit=soc, by=None, channel=Channel.EMAIL, **values)


def _corrected(**change):
    return {"their_number": "กค 0401/123", "dated": "20/11/2569", "sender_text": "กระทรวงการคลัง",
            "addressee": "เลขาธิการคณะรัฐมนตรี", "subject": "ขอข้อมูลงบประมาณ", "urgency": "2", "secrecy": "0",
            "deliver_by": "5/12/2569", "deliver_time": "10.30", **change}


def _edit(pk):
    return reverse("portal:item-edit", args=[pk])


def test_the_clerk_corrects_a_mailed_item_and_registers_what_was_corrected(users, soc, login):
    item = _mailed(soc)
    client = login(users["soc.clerk"])
    page = client.get(reverse("portal:item", args=[item.pk])).content.decode()
    assert f'href="{_edit(item.pk)}"' in page and "แก้ไขรายละเอียด" in page
    form = client.get(_edit(item.pk)).content.decode()
    assert 'value="saraban@mof.go.th"' in form and 'value="Fwd: หนังสือ"' in form
    assert f'hx-post="{reverse("portal:item-edit-check", args=[item.pk])}"' in form
    assert 'name="pdf"' not in form and 'name="unit"' not in form and 'name="channel"' not in form

    r = client.post(_edit(item.pk), _corrected(), follow=True)
    assert "บันทึกการแก้ไขรายละเอียดแล้ว" in r.content.decode()
    item.refresh_from_db()
    assert (item.their_number, item.dated, item.sender_text, item.addressee, item.subject, item.urgency) == (
        "กค 0401/123", dt.date(2026, 11, 20), "กระทรวงการคลัง", "เลขาธิการคณะรัฐมนตรี", "ขอข้อมูลงบประมาณ", 2)
    assert item.their_number_key == receiving.number_key("กค ๐๔๐๑/๑๒๓")
    assert (item.deliver_by.hour, item.deliver_by.minute) == (3, 30)  # 10.30 Bangkok time
    assert item.state == ItemState.RECEIVED and not item.receipt_number  # corrected, not registered
    assert item.history.order_by("-history_id").first().history_user == users["soc.clerk"]
    # The form shows the corrected values again, the time as it is typed.
    again = client.get(_edit(item.pk)).content.decode()
    assert 'value="กค 0401/123"' in again and 'value="๒๐ พฤศจิกายน ๒๕๖๙"' in again and 'value="10.30"' in again

    client.post(reverse("portal:item-register", args=[item.pk]))
    line = RegisterEntry.objects.get(item=item)
    assert (line.their_number, line.dated, line.from_text, line.subject) == (
        "กค 0401/123", dt.date(2026, 11, 20), "กระทรวงการคลัง", "ขอข้อมูลงบประมาณ")


@pytest.mark.parametrize("change,field,message", [
    ({"subject": ""}, "subject", "กรุณาระบุเรื่อง"),
    ({"sender_text": ""}, "sender_text", "กรุณาระบุผู้ส่ง"),
    ({"dated": "1/1/2600"}, "dated", "อนาคต"),
    ({"dated": "1/1/1900"}, "dated", "เก่าเกินกว่าจะเป็นวันที่ของหนังสือ"),
    ({"dated": "32 ธันวาคม 2569"}, "dated", "วันที่"),
    ({"their_number": "เลขที่ไม่มีรูปแบบ"}, "their_number", ""),
    ({"deliver_time": "25.00"}, "deliver_time", "เวลาไม่ถูกต้อง"),
])
def test_bad_input_is_refused_in_thai_and_changes_nothing(users, soc, login, change, field, message):
    item = _mailed(soc)
    before = item.history.count()
    r = login(users["soc.clerk"]).post(_edit(item.pk), _corrected(**change))
    assert r.status_code == 200
    form = r.context["form"]
    assert field in form.errors and message in " ".join(form.errors[field])
    assert "กระทรวงการคลัง" in r.content.decode() or field == "sender_text"  # what was typed stays
    item.refresh_from_db()
    assert (item.subject, item.sender_text, item.their_number, item.dated) == (
        "Fwd: หนังสือ", "saraban@mof.go.th", "", None)
    assert item.history.count() == before


def test_a_registered_item_is_not_corrected_the_register_line_is_the_record(users, soc, login):
    item = _mailed(soc)
    client = login(users["soc.clerk"])
    receiving.incoming_register(item, by=users["soc.clerk"])
    assert f'href="{_edit(item.pk)}"' not in client.get(reverse("portal:item", args=[item.pk])).content.decode()
    r = client.get(_edit(item.pk), follow=True)
    assert r.redirect_chain[-1][0] == reverse("portal:item", args=[item.pk])
    assert "ลงทะเบียนรับแล้ว จึงแก้ไขรายละเอียดไม่ได้" in r.content.decode()
    r = client.post(_edit(item.pk), _corrected(), follow=True)
    assert "สิ่งที่แก้ไขไม่ได้บันทึก" in r.content.decode()
    item.refresh_from_db()
    assert item.subject == "Fwd: หนังสือ"
    assert RegisterEntry.objects.get(item=item).subject == "Fwd: หนังสือ"


def test_a_rejected_item_is_not_corrected(users, soc, login):
    item = _mailed(soc)
    receiving.incoming_reject(item, users["soc.clerk"], "ส่งผิดหน่วยงาน")
    r = login(users["soc.clerk"]).post(_edit(item.pk), _corrected(), follow=True)
    assert "ปฏิเสธการรับไปแล้ว จึงแก้ไขรายละเอียดไม่ได้" in r.content.decode()
    item.refresh_from_db()
    assert item.subject == "Fwd: หนังสือ"


def test_a_routed_copy_keeps_the_details_registered_above(users, soc, units, login):
    """A copy routed from the unit above carries what that unit registered: refused on the copy."""
    item = _mailed(soc, subject="ขอข้อมูลงบประมาณ", sender_text="กระทรวงการคลัง")
    receiving.incoming_register(item, by=users["soc.clerk"])
    below = units["หน่วยงานผู้รับเรื่อง ภค."]
    copy = receiving.item_route(item, by=users["soc.clerk"], to_units=[below.pk])[0].copy
    client = login(users["soc.div.clerk"])
    assert f'href="{_edit(copy.pk)}"' not in client.get(reverse("portal:item", args=[copy.pk])).content.decode()
    r = client.post(_edit(copy.pk), _corrected(subject="อื่น"), follow=True)
    assert "รายละเอียดของหนังสือนี้มาจากหนังสือในระบบ" in r.content.decode()
    copy.refresh_from_db()
    assert copy.subject == "ขอข้อมูลงบประมาณ"


@pytest.mark.parametrize("username,status", [
    ("soc.exec", 403),     # sees the unit's items, does not register them
    ("soc.secret", 403),   # the secret-document registrar does not register unclassified items
    ("soc.officer", 404),  # a unit below: the item is not theirs to see
    ("mfa.clerk", 404),    # another ministry's clerk
])
def test_only_those_who_may_register_it_correct_it(users, soc, login, username, status):
    item = _mailed(soc)
    client = login(users[username])
    assert client.get(_edit(item.pk)).status_code == status
    assert client.post(_edit(item.pk), _corrected()).status_code == status
    if status == 403:
        assert f'href="{_edit(item.pk)}"' not in client.get(
            reverse("portal:item", args=[item.pk])).content.decode()
    item.refresh_from_db()
    assert item.subject == "Fwd: หนังสือ"


def test_a_classified_item_is_corrected_by_its_registrar_with_the_second_factor(users, soc, login, second_factor):
    registrar = users["soc.secret"]
    item = receiving.incoming_receive(unit=soc, by=registrar, channel=Channel.SCAN, subject="แผนลับ",
                                      sender_text="กระทรวงกลาโหม", secrecy=1)
    assert login(users["soc.clerk"]).get(_edit(item.pk)).status_code == 404  # not granted
    client = login(registrar)
    r = client.get(_edit(item.pk))
    assert r.status_code == 302 and r.url.startswith(reverse("two-factor-setup"))  # as the item page
    assert client.post(_edit(item.pk), _corrected(secrecy="1")).status_code == 302
    item.refresh_from_db()
    assert item.subject == "แผนลับ"
    second_factor(client, registrar)
    assert f'href="{_edit(item.pk)}"' in client.get(reverse("portal:item", args=[item.pk])).content.decode()
    client.post(_edit(item.pk), _corrected(subject="แผนลับ (แก้ไข)", secrecy="2"))
    item.refresh_from_db()
    assert (item.subject, item.secrecy) == ("แผนลับ (แก้ไข)", 2)


def test_a_clerk_cannot_classify_an_item_the_registrar_handles_those(users, soc, login, second_factor):
    item = _mailed(soc)
    client = login(users["soc.clerk"])
    r = client.post(_edit(item.pk), _corrected(secrecy="1"))
    assert "ยืนยันตัวตนขั้นที่สอง" in " ".join(r.context["form"].errors["secrecy"])
    second_factor(client, users["soc.clerk"])
    r = client.post(_edit(item.pk), _corrected(secrecy="1"))
    assert r.status_code == 200 and "นายทะเบียนเอกสารลับ" in " ".join(r.context["form"].errors["secrecy"])
    item.refresh_from_db()
    assert (item.secrecy, item.subject) == (0, "Fwd: หนังสือ")


def test_top_secret_is_refused_for_a_mailed_item(users, soc, login, second_factor):
    """ลับที่สุด never travels by e-mail or the e-saraban exchange: the same refusal as receiving."""
    item = _mailed(soc)
    client = login(users["soc.clerk"])
    second_factor(client, users["soc.clerk"])
    r = client.post(_edit(item.pk), _corrected(secrecy="3"))
    assert "secrecy" in r.context["form"].errors
    item.refresh_from_db()
    assert item.secrecy == 0


def _registered_first(users, soc):
    item = receiving.incoming_receive(unit=soc, by=users["soc.clerk"], channel=Channel.SCAN,
                                      subject="ขอข้อมูลงบประมาณ", sender_text="กระทรวงการคลัง",
                                      their_number="กค ๐๔๐๑/๑๒๓", dated=dt.date(2026, 11, 20))
    return receiving.incoming_register(item, by=users["soc.clerk"])[0]


def test_the_duplicate_check_runs_again_after_the_correction(users, soc, login):
    first = _registered_first(users, soc)
    item = _mailed(soc)
    client = login(users["soc.clerk"])
    entries = RegisterEntry.objects.count()
    # While the fields are typed: the warning, without the receive page's confirm box.
    check = client.post(reverse("portal:item-edit-check", args=[item.pk]), _corrected(),
                        HTTP_HX_REQUEST="true").content.decode()
    assert "รับไว้แล้ว" in check and f'href="/incoming/{first.pk}/"' in check
    assert 'name="confirm_duplicate"' not in check
    # Saved: the question, and the item's page asks before a second number is taken.
    r = client.post(_edit(item.pk), _corrected(), follow=True)
    page = r.content.decode()
    assert "ยังไม่ได้ลงทะเบียนรับ: มีหนังสือที่ กค ๐๔๐๑/๑๒๓" in page and "ยืนยันการลงรับซ้ำหรือไม่" in page
    assert 'id="duplicate-warning"' in page and f'href="/incoming/{first.pk}/"' in page
    client.post(reverse("portal:item-register", args=[item.pk]), follow=True)
    assert RegisterEntry.objects.count() == entries
    client.post(reverse("portal:item-register", args=[item.pk]), {"confirm_duplicate": "1"}, follow=True)
    item.refresh_from_db()
    assert item.state == ItemState.REGISTERED and item.duplicate_of_id == first.pk
    # A correction that makes it another letter: no warning.
    other = _mailed(soc, subject="อีกฉบับ")
    r = client.post(_edit(other.pk), _corrected(their_number="กค 0401/124"), follow=True)
    assert "ยืนยันการลงรับซ้ำ" not in r.content.decode()
    assert IncomingItem.objects.get(pk=other.pk).their_number == "กค 0401/124"


def test_the_warning_while_typing_follows_the_sender_agency_of_a_peer_item(users, soc, units, login):
    """An item from another portal is the same letter again when its sender agency matches (as registering
    decides), not its typed sender: the warning shown while correcting says what saving and registering will."""
    clerk, mfa = users["soc.clerk"], units["กระทรวงการต่างประเทศ"]
    letter = {"their_number": "กต 0203/1", "dated": dt.date(2026, 11, 20), "subject": "ขอเชิญประชุม"}
    scanned = receiving.incoming_receive(unit=soc, by=clerk, channel=Channel.SCAN,
                                         sender_text="กระทรวงการต่างประเทศ", **letter)
    receiving.incoming_register(scanned, by=clerk)
    peer = receiving.incoming_receive(unit=soc, by=None, channel=Channel.PEER, sender_agency=mfa,
                                      sender_text="กระทรวงการต่างประเทศ", **letter)
    client = login(clerk)
    fields = _corrected(their_number="กต 0203/1", sender_text="กระทรวงการต่างประเทศ", deliver_by="",
                        deliver_time="")
    check = reverse("portal:item-edit-check", args=[peer.pk])
    # The scan has no sender agency: not the same letter for registering, so no warning while typing either.
    assert "รับไว้แล้ว" not in client.post(check, fields, HTTP_HX_REQUEST="true").content.decode()
    r = client.post(_edit(peer.pk), fields, follow=True)
    assert "ยืนยันการลงรับซ้ำ" not in r.content.decode()
    # Registered from the same agency under another typed sender: the warning, as registering will ask.
    receiving.incoming_register(peer, by=clerk)
    again = receiving.incoming_receive(unit=soc, by=None, channel=Channel.PEER, sender_agency=mfa,
                                       sender_text="saraban@mfa.go.th", **letter)
    check = client.post(reverse("portal:item-edit-check", args=[again.pk]), {**fields, "sender_text": "กต."},
                        HTTP_HX_REQUEST="true").content.decode()
    assert "รับไว้แล้ว" in check and f'href="/incoming/{peer.pk}/"' in check


def test_a_correction_saved_meanwhile_by_someone_else_is_not_undone(users, soc, login):
    """Two clerks open the form; the second to save is told and nothing of theirs is saved. Saving again
    after being told goes through, from the details as they are now."""
    import re

    from django.test import Client

    item = _mailed(soc)
    first, second = login(users["soc.clerk"]), Client()
    second.force_login(users["soc.clerk"])
    opened = second.get(_edit(item.pk)).content.decode()
    seen = re.search(r'name="seen" value="([0-9a-f]+)"', opened).group(1)
    first_form = first.get(_edit(item.pk)).content.decode()
    first_seen = re.search(r'name="seen" value="([0-9a-f]+)"', first_form).group(1)
    assert first_seen == seen
    first.post(_edit(item.pk), {**_corrected(subject="ขอข้อมูลงบประมาณ ปี ๒๕๗๐"), "seen": first_seen})

    refused = second.post(_edit(item.pk), {**_corrected(subject="เรื่องอื่น"), "seen": seen})
    page = refused.content.decode()
    assert refused.status_code == 200 and receiving.CORRECTED_MEANWHILE in page
    item.refresh_from_db()
    assert item.subject == "ขอข้อมูลงบประมาณ ปี ๒๕๗๐"
    now_seen = re.search(r'name="seen" value="([0-9a-f]+)"', page).group(1)
    assert now_seen == receiving.details_version(item) != seen

    again = second.post(_edit(item.pk), {**_corrected(subject="เรื่องอื่น"), "seen": now_seen})
    assert again.status_code == 302
    item.refresh_from_db()
    assert item.subject == "เรื่องอื่น"


def test_a_refused_save_keeps_the_details_the_clerk_started_from(users, soc, login):
    """A save refused for the clerk's own mistake does not move the starting point: a correction by someone
    else in between is still caught on the next save."""
    import re

    item = _mailed(soc)
    client = login(users["soc.clerk"])
    seen = re.search(r'name="seen" value="([0-9a-f]+)"', client.get(_edit(item.pk)).content.decode()).group(1)
    page = client.post(_edit(item.pk), {**_corrected(subject=""), "seen": seen}).content.decode()
    assert f'name="seen" value="{seen}"' in page
    receiving.incoming_correct(item, by=users["soc.clerk"], subject="แก้โดยผู้อื่น", sender_text="กระทรวงการคลัง")
    page = client.post(_edit(item.pk), {**_corrected(), "seen": seen}).content.decode()
    assert receiving.CORRECTED_MEANWHILE in page
    item.refresh_from_db()
    assert item.subject == "แก้โดยผู้อื่น"
