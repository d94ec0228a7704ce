"""An official changes their own password: the rules shown before typing, every refusal in Thai with the old
password still working, and after a change the new password alone logs in, other sessions and API tokens end,
and the access log has it."""
import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from eoffice.models import AccessEvent, AccessKind

pytestmark = pytest.mark.django_db
PASSWORD = "demo-saraban-2569"
NEW = "ทะเบียนรับ-ส่ง-ปลอดภัย-2569"
URL = "/account/password/"


def _login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def _change(client, old, new1, new2=None):
    return client.post(URL, {"old_password": old, "new_password1": new1, "new_password2": new2 or new1})


def test_the_page_lists_the_rules_in_thai_and_is_linked_from_every_page(client, users):
    assert client.get(URL)["Location"].startswith("/login/")
    assert _login(client, "soc.clerk", PASSWORD).status_code == 302
    page = client.get(URL).content.decode()
    assert "รหัสผ่านต้องมีอย่างน้อย 12 ตัวอักษร" in page and "รหัสผ่านต้องไม่เป็นตัวเลขทั้งหมด" in page
    assert f'href="{URL}"' in client.get("/").content.decode()


@pytest.mark.parametrize("old, new1, new2, message", [
    ("wrong-password", NEW, NEW, "ใส่รหัสผ่านเก่าผิด"),
    (PASSWORD, NEW, NEW + "x", "รหัสผ่านใหม่ทั้งสองช่องไม่ตรงกัน"),
    (PASSWORD, "สั้นไป-1", "สั้นไป-1", "รหัสผ่านนี้สั้นเกินไป ต้องมีอย่างน้อย 12 ตัวอักษร"),
    (PASSWORD, "202612345678", "202612345678", "รหัสผ่านนี้เป็นตัวเลขทั้งหมด"),
    (PASSWORD, "1qaz2wsx3edc", "1qaz2wsx3edc", "รหัสผ่านนี้เป็นรหัสผ่านที่ใช้กันทั่วไป"),
])
def test_a_refused_change_says_why_in_thai_and_changes_nothing(client, users, old, new1, new2, message):
    _login(client, "soc.clerk", PASSWORD)
    changes = AccessEvent.objects.filter(kind=AccessKind.PASSWORD_CHANGED).count()
    r = _change(client, old, new1, new2)
    body = r.content.decode()
    assert r.status_code == 200 and message in body and "รหัสผ่านเดิมยังใช้ได้ตามปกติ" in body
    # The refusal sits under the field it is about: the rules under the new password, a mismatch under its
    # confirmation, a wrong password under the current one.
    field = {"ใส่รหัสผ่านเก่าผิด": "old_password", "รหัสผ่านใหม่ทั้งสองช่องไม่ตรงกัน": "new_password2"}.get(message,
                                                                                                 "new_password1")
    errors = body.split(f'id="err_{field}"', 1)
    assert len(errors) == 2 and message in errors[1].split("</ul>", 1)[0]
    users["soc.clerk"].refresh_from_db()
    assert users["soc.clerk"].check_password(PASSWORD)
    assert AccessEvent.objects.filter(kind=AccessKind.PASSWORD_CHANGED).count() == changes


def test_after_a_change_only_the_new_password_works_and_other_sessions_and_tokens_end(client, users):
    user = users["soc.clerk"]
    elsewhere = Client()
    assert _login(elsewhere, "soc.clerk", PASSWORD).status_code == 302
    assert elsewhere.get("/").status_code == 200
    token = Token.objects.create(user=user)
    _login(client, "soc.clerk", PASSWORD)

    r = _change(client, PASSWORD, NEW)
    assert r.status_code == 302 and r["Location"] == "/account/password/done/"
    assert "เปลี่ยนรหัสผ่านแล้ว" in client.get(r["Location"]).content.decode()
    assert client.get("/").status_code == 200  # this session goes on
    assert elsewhere.get("/")["Location"].startswith("/login/")  # the other one has ended
    assert not Token.objects.filter(key=token.key).exists()
    event = AccessEvent.objects.filter(kind=AccessKind.PASSWORD_CHANGED).latest("at")
    assert event.user == user and event.target == f"user:{user.pk}" and event.detail["tokens_revoked"] == 1

    assert _login(Client(), "soc.clerk", PASSWORD).status_code == 200  # refused: the login page again
    assert _login(Client(), "soc.clerk", NEW).status_code == 302


def test_wrong_current_passwords_end_the_session_after_the_login_limit(client, users, settings):
    settings.AXES_FAILURE_LIMIT = 3
    _login(client, "soc.clerk", PASSWORD)
    for _ in range(2):
        assert _change(client, "guess-" + NEW, NEW).status_code == 200
    r = _change(client, "guess-again-" + NEW, NEW)
    assert r.status_code == 403 and "ระบบจึงออกจากระบบให้เพื่อความปลอดภัย" in r.content.decode()
    assert client.get("/")["Location"].startswith("/login/")  # the session is gone
    assert AccessEvent.objects.filter(kind=AccessKind.PASSWORD_CHANGE_FAILED, user=users["soc.clerk"]).count() == 3
    users["soc.clerk"].refresh_from_db()
    assert users["soc.clerk"].check_password(PASSWORD)


def test_a_password_set_by_an_administrator_also_ends_the_tokens_and_is_logged(client, users, admin_login):
    user, admin = users["soc.clerk"], users["admin"]
    token = Token.objects.create(user=user)
    admin_login(client, admin)
    r = client.post(f"/admin/auth/user/{user.pk}/password/", {"password1": NEW, "password2": NEW})
    assert r.status_code == 302, r.content.decode()[:500]
    assert not Token.objects.filter(key=token.key).exists()
    event = AccessEvent.objects.filter(kind=AccessKind.PASSWORD_CHANGED).latest("at")
    assert event.user == admin and event.target == f"user:{user.pk}"
    user.refresh_from_db()
    assert user.check_password(NEW)


def test_the_count_of_wrong_current_passwords_starts_again_at_each_login(client, users, settings):
    settings.AXES_FAILURE_LIMIT = 3
    _login(client, "soc.clerk", PASSWORD)
    for _ in range(2):
        assert _change(client, "guess-" + NEW, NEW).status_code == 200
    _login(client, "soc.clerk", PASSWORD)  # the official logs in again: a typo is not the third guess
    for _ in range(2):
        assert _change(client, "guess-" + NEW, NEW).status_code == 200
    assert client.get("/").status_code == 200


def test_switching_password_login_off_also_ends_the_tokens(users):
    user = users["soc.clerk"]
    token = Token.objects.create(user=user)
    user.set_unusable_password()
    user.save()
    assert not Token.objects.filter(key=token.key).exists()
    assert AccessEvent.objects.filter(kind=AccessKind.PASSWORD_CHANGED, target=f"user:{user.pk}").exists()
