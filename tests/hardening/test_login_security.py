"""Login throttling and lockout (django-axes), password rules, session expiry, secure cookies and headers,
the Content Security Policy, and the audit trail of logins."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.utils import timezone

from eoffice.models import AccessEvent, AccessKind

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "demo-saraban-2569"
LOCKED = "เข้าสู่ระบบด้วยรหัสผ่านผิดหลายครั้งเกินกำหนด"


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    return settings


def _login(client, username, password, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def test_five_wrong_passwords_lock_the_username_from_that_address(client, users, axes_on):
    for _ in range(4):
        r = _login(client, "soc.clerk", "wrong-password")
        assert r.status_code == 200 and "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in r.content.decode()
    r = _login(client, "soc.clerk", "wrong-password")
    assert r.status_code == 429 and LOCKED in r.content.decode()
    # Locked: even the right password is refused, and no session is opened.
    r = _login(client, "soc.clerk", PASSWORD)
    assert r.status_code == 429 and LOCKED in r.content.decode()
    assert "_auth_user_id" not in client.session
    # The API's token endpoint is throttled by the same rule, and answers JSON.
    r = client.post("/api/v1/auth/token/", {"username": "soc.clerk", "password": PASSWORD})
    assert r.status_code == 429 and LOCKED in r.json()["detail"]
    # Another address is not locked out (offices share addresses: the pair is what counts).
    assert _login(client, "soc.clerk", PASSWORD, REMOTE_ADDR="10.1.2.3").status_code == 302
    # Every attempt is in the audit trail, with the address.
    kinds = list(AccessEvent.objects.filter(username="soc.clerk").order_by("pk").values_list("kind", "ip"))
    assert kinds[:4] == [(AccessKind.LOGIN_FAILED, "127.0.0.1")] * 4
    assert (AccessKind.LOCKED_OUT, "127.0.0.1") in kinds and kinds[-1] == (AccessKind.LOGIN, "10.1.2.3")


def test_the_lockout_ends_after_the_cool_off(client, users, axes_on):
    axes_on.AXES_COOLOFF_TIME = 1 / 3600  # one second
    for _ in range(5):
        _login(client, "soc.officer", "wrong-password")
    assert _login(client, "soc.officer", PASSWORD).status_code == 429
    time.sleep(1.5)
    assert _login(client, "soc.officer", PASSWORD).status_code == 302


@pytest.mark.parametrize("hours,seconds,wait", [(0.25, "900", "๑๕ นาที"), (1.5, "5400", "๑ ชั่วโมง ๓๐ นาที"),
                                                (1 / 7200, "1", "๑ นาที")],
                         ids=["15-minutes", "90-minutes", "half-a-second"])
def test_the_lockout_answer_says_when_to_try_again(client, users, axes_on, hours, seconds, wait):
    """Retry-After: the cool-off in seconds (each attempt while locked starts it again), on the login page
    and on the API's token endpoint; never before the lockout. The Thai message says the same to people."""
    axes_on.AXES_COOLOFF_TIME = hours
    for _ in range(4):
        assert "Retry-After" not in _login(client, "soc.clerk", "wrong-password")
    r = _login(client, "soc.clerk", "wrong-password")
    assert r.status_code == 429 and r["Retry-After"] == seconds
    r = _login(client, "soc.clerk", PASSWORD)
    assert r.status_code == 429 and r["Retry-After"] == seconds
    assert "กรุณาลองใหม่ตั้งแต่เวลา" in r.content.decode() and f"(อีก {wait})" in r.content.decode()
    r = client.post("/api/v1/auth/token/", {"username": "soc.clerk", "password": PASSWORD})
    assert r.status_code == 429 and r["Retry-After"] == seconds
    assert "กรุณาลองใหม่ตั้งแต่เวลา" in r.json()["detail"] and f"(อีก {wait})" in r.json()["detail"]


def test_the_lockout_message_gives_a_time_never_too_early():
    """The clock time is rounded up to the minute (trying a few seconds early would start the wait again);
    a time on another day carries its date."""
    import datetime as dt

    from eoffice import thai
    from eoffice.access_events import lockout_message

    now = dt.datetime(2026, 11, 30, 14, 20, 30, tzinfo=thai.BANGKOK)
    message = lockout_message(900, now=now)
    assert LOCKED in message and "ตั้งแต่เวลา ๑๔.๓๖ น. (อีก ๑๕ นาที)" in message
    assert "ตั้งแต่เวลา ๑๔.๓๕ น. (อีก ๑๕ นาที)" in lockout_message(900, now=now.replace(second=0))
    late = lockout_message(5400, now=now.replace(hour=23, minute=50, second=0))
    assert "ตั้งแต่เวลา ๑ ธ.ค. ๒๕๖๙ ๑.๒๐ น. (อีก ๑ ชั่วโมง ๓๐ นาที)" in late
    assert "ผู้ดูแลระบบจะปลดล็อก" in lockout_message(None) and "อีก" not in lockout_message(None)


def test_a_lockout_without_cool_off_gives_no_retry_time(client, users, axes_on):
    """AXES_COOLOFF_TIME None: locked until an administrator unlocks, so no time to promise."""
    axes_on.AXES_COOLOFF_TIME = None
    for _ in range(5):
        r = _login(client, "soc.clerk", "wrong-password")
    assert r.status_code == 429 and "Retry-After" not in r
    assert "จนกว่าผู้ดูแลระบบจะปลดล็อก" in r.content.decode() and "ลองใหม่ตั้งแต่เวลา" not in r.content.decode()


def test_a_success_resets_the_count(client, users, axes_on):
    for _ in range(4):
        _login(client, "mfa.clerk", "wrong-password")
    assert _login(client, "mfa.clerk", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert _login(client, "mfa.clerk", "wrong-password").status_code == 200
    assert _login(client, "mfa.clerk", PASSWORD).status_code == 302


@pytest.mark.parametrize("password, reason", [
    ("Sh0rt-pass", "password_too_short"),
    ("123456789012345", "password_entirely_numeric"),
    ("password12345", "password_too_common"),
    ("soc.clerk.2569", "password_too_similar"),
])
def test_weak_passwords_are_refused(users, password, reason):
    with pytest.raises(ValidationError) as exc:
        validate_password(password, users["soc.clerk"])
    assert reason in {e.code for e in exc.value.error_list}, exc.value.messages


def test_a_long_passphrase_is_accepted(users):
    validate_password("ระบบสารบรรณ-ปลอดภัย-2569", users["soc.clerk"])
    with pytest.raises(ValidationError):  # twelve is the minimum
        validate_password("Abcdefgh-12", users["soc.clerk"])


def test_session_ends_with_the_browser_and_after_the_working_day(client, users, settings):
    r = _login(client, "soc.clerk", PASSWORD)
    assert r.status_code == 302
    cookie = r.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""  # a browser-session cookie
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    session = Session.objects.get(session_key=cookie.value)
    age = (session.expire_date - timezone.now()).total_seconds()
    assert settings.SESSION_COOKIE_AGE - 60 < age <= settings.SESSION_COOKIE_AGE == 8 * 3600
    assert client.get("/").status_code == 200
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    r = client.get("/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_logins_and_logouts_are_audited(client, users):
    _login(client, "soc.exec", "nope-nope-nope")
    _login(client, "soc.exec", PASSWORD)
    client.post("/logout/")
    rows = list(AccessEvent.objects.filter(kind__in=[AccessKind.LOGIN, AccessKind.LOGIN_FAILED, AccessKind.LOGOUT])
                .order_by("pk").values_list("kind", "username", "user_id"))
    user = users["soc.exec"].pk
    assert rows == [(AccessKind.LOGIN_FAILED, "soc.exec", None), (AccessKind.LOGIN, "soc.exec", user),
                    (AccessKind.LOGOUT, "soc.exec", user)]
    # No password, right or wrong, is ever stored.
    assert "nope" not in json.dumps(list(AccessEvent.objects.values()), default=str)


CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; frame-src 'self'; object-src 'none'; frame-ancestors 'self'; base-uri 'self'; "
       "form-action 'self'")


def _directives(policy: str) -> dict:
    return {d.split()[0]: sorted(d.split()[1:]) for d in policy.split(";") if d.strip()}


def test_strict_content_security_policy_and_headers(client, users):
    for url in ("/login/", "/api/v1/items/"):
        r = client.get(url)
        assert _directives(r["Content-Security-Policy"]) == _directives(CSP), url
        assert r["X-Content-Type-Options"] == "nosniff" and r["Referrer-Policy"] == "same-origin"
        assert r["Cross-Origin-Opener-Policy"] == "same-origin" and r["X-Frame-Options"] == "DENY"


HTTPS_PROBE = r"""
import json, django
django.setup()
from django.conf import settings
# The hashed manifest exists only after collectstatic.
settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
from django.test import Client
c = Client()
plain = c.get("/login/")
secure = Client().get("/login/", secure=True, headers={"host": "saraban.example.go.th"})
cookies = {k: dict(v) | {"secure": v["secure"], "httponly": v["httponly"]} for k, v in secure.cookies.items()}
print(json.dumps({"plain": [plain.status_code, plain.get("Location")], "headers": dict(secure.headers),
                  "status": secure.status_code, "cookies": cookies}))
"""


def test_https_deployment_sets_secure_cookies_and_hsts(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EOFFICE_"))}
    env.update(DJANGO_SECRET_KEY="x" * 60, DJANGO_ALLOWED_HOSTS="saraban.example.go.th,testserver",
               EOFFICE_HTTPS="1", EOFFICE_VAR_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
               DJANGO_SETTINGS_MODULE="eoffice.settings", PYTHONPATH=str(ROOT))
    env.pop("REDIS_URL", None)
    out = subprocess.run([sys.executable, "-c", HTTPS_PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    probe = json.loads(out.stdout.strip().splitlines()[-1])
    assert probe["plain"] == [301, "https://testserver/login/"]
    headers = probe["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert _directives(headers["Content-Security-Policy"]) == _directives(CSP)
    csrf = probe["cookies"]["__Host-csrftoken"]
    assert csrf["secure"] is True and csrf["samesite"] == "Lax" and csrf["path"] == "/" and not csrf["domain"]


def _inline_code(html: str) -> list[str]:
    """Inline scripts and inline event handlers: what script-src 'self' blocks."""
    import re

    found = [m.group(0)[:80] for m in re.finditer(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>",
                                                 html)]
    found += [m.group(0)[:80] for m in re.finditer(r"\son[a-z]+\s*=\s*[\"']", html)]
    return found


def test_pages_and_api_docs_run_under_the_policy(client, users):
    assert not _inline_code(client.get("/login/").content.decode())
    client.force_login(users["soc.clerk"])
    for url in ("/", "/incoming/", "/letters/", "/registers/", "/api/docs/"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert not _inline_code(r.content.decode()), (url, _inline_code(r.content.decode()))
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
