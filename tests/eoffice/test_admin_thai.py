"""The admin pages are in Thai, including the texts of Django's admin that its Thai catalogue lacks and the
history (django-simple-history) and grant (django-guardian) pages, which have no Thai catalogue."""
import pytest

pytestmark = pytest.mark.django_db


def test_the_index_history_and_grant_pages_are_in_thai(client, users, units, admin_login):
    from correspondence.models import Channel
    from correspondence.services import receiving

    item = receiving.incoming_receive(unit=units["สลค."], by=users["soc.clerk"], channel=Channel.SCAN,
                                      subject="ทดสอบภาษา", sender_text="กค")
    admin_login(client, users["admin"])
    pages = {
        "/admin/": (["ข้ามไปยังเนื้อหาหลัก", "สลับรูปแบบสี"], ["Skip to main content", "Toggle theme"]),
        f"/admin/agencies/agency/{units['สลค.'].pk}/history/": (
            ["แก้ไขโดย", "เหตุผลที่เปลี่ยนแปลง"], ["Changed by", "Change reason", "Choose a date"]),
        f"/admin/correspondence/incomingitem/{item.pk}/permissions/": (
            ["สิทธิ์ของผู้ใช้", "สิทธิ์ของกลุ่ม"], ["User permissions", "Group permissions", "Manage user"]),
    }
    for url, (thai, english) in pages.items():
        page = client.get(url)
        assert page.status_code == 200, url
        text = page.content.decode()
        assert all(t in text for t in thai), (url, [t for t in thai if t not in text], [e for e in english if e in text], text[text.find("<body"):text.find("<body")+600])
        assert not [e for e in english if e in text], url
