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


def test_the_packages_apps_models_and_columns_are_named_in_thai(admin_client):
    from axes.models import AccessAttempt

    # A list shows its columns only with a row in it (beat's jobs come from the migrations).
    AccessAttempt.objects.create(username="someone", ip_address="192.0.2.1", user_agent="x", failures_since_start=2)
    index = admin_client.get("/admin/").content.decode()
    for name in ["งานตามกำหนดเวลา", "กำหนดเวลาแบบ crontab", "การป้องกันการเดารหัสผ่าน", "ความพยายามเข้าสู่ระบบ",
                 "บันทึกการเข้าสู่ระบบ", "การยืนยันตัวตนสองขั้นตอน"]:
        assert name in index, name
    for english in [">Periodic Tasks<", ">Axes<", ">Otp_Totp<", ">Access attempts<", ">Crontabs<", ">Access logs<"]:
        assert english not in index, english
    columns = {
        "/admin/django_celery_beat/periodictask/": (["เปิดใช้งาน", "เริ่มเมื่อ", "ทำงานครั้งล่าสุดเมื่อ"],
                                                    ["Enabled", "Start Datetime", "Last Run Datetime"]),
        # Computed columns (a property, a method) that Django would title from their English names.
        "/admin/django_celery_beat/periodictask/?": (["กำหนดเวลาที่ใช้"], ["Scheduler"]),
        "/admin/django_celery_beat/crontabschedule/": (["ความหมาย"], ["Human readable"]),
        "/admin/axes/accessattempt/": (["เวลาที่พยายาม", "หมายเลข IP", "จำนวนครั้งที่เข้าสู่ระบบไม่สำเร็จ", "สถานะ"],
                                       ["Attempt Time", "IP Address", "Failed Logins", "Status"]),
    }
    for url, (thai, english) in columns.items():
        page = admin_client.get(url).content.decode()
        assert all(t in page for t in thai), (url, [t for t in thai if t not in page])
        assert not [e for e in english if f">{e}<" in page], url


def test_the_authenticator_admin_names_its_model_and_fields_in_thai(admin_client, users):
    """django-otp's names are plain English strings (not translatable): they are renamed when the app is
    ready, and the help under the read-only fields comes from the admin's form."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=users["soc.secret"], name="โทรศัพท์", confirmed=True)
    index = admin_client.get("/admin/").content.decode()
    assert "แอปยืนยันตัวตน" in index and "TOTP device" not in index
    listing = admin_client.get("/admin/otp_totp/totpdevice/").content.decode()
    for thai in ["ผู้ใช้", "ยืนยันการลงทะเบียนแล้ว", "จำนวนครั้งที่ใส่รหัสผิดติดกัน", "ใช้ล่าสุดเมื่อ"]:
        assert thai in listing, thai
    page = admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    for thai in ["ผู้ใช้:", "ชื่อ:", "ยืนยันการลงทะเบียนแล้ว:", "จำนวนครั้งที่ใส่รหัสผิดติดกัน:", "ใช้ล่าสุดเมื่อ:",
                 "ผู้ใช้ใส่รหัสจากแอปถูกต้องแล้วเมื่อลงทะเบียน"]:
        assert thai in text, thai
    for english in ["Name:", "Confirmed:", "Throttling failure count:", "Last used at:", "TOTP device",
                    "The human-readable name of this device.", "Is this device ready for use?"]:
        assert english not in text, english
    # The key itself is never shown, whatever its name.
    assert device.key not in text and "กุญแจลับ" not in text


def test_the_thai_names_need_no_migration_of_the_packages(db):
    """Migrations read the names the packages declared, not the Thai ones given at run time."""
    from django.core.management import call_command

    call_command("makemigrations", "otp_totp", "axes", "django_celery_beat", check=True, dry_run=True,
                 verbosity=0)


def test_the_periodic_task_change_form_is_in_thai(admin_client):
    """django-celery-beat's field labels, help texts and fieldset titles (translated in locale/th)."""
    from django_celery_beat.models import PeriodicTask

    job = PeriodicTask.objects.filter(crontab__isnull=False).first()  # beat's jobs come from the migrations
    page = admin_client.get(f"/admin/django_celery_beat/periodictask/{job.pk}/change/")
    assert page.status_code == 200
    text = " ".join(page.content.decode().split())
    for thai in ["ชื่อสั้น ๆ ของงานนี้", "ตัวเลือกการทำงาน", "ตัวกระจายข้อความ (exchange):",
                 "คีย์เส้นทางข้อความ (routing key):", "ส่วนหัวของข้อความ AMQP:", "ยกเลิกการเลือกเพื่อหยุดงานนี้ไว้",
                 "กำหนดเวลาแบบ crontab ที่ใช้ทำงานนี้ เลือกกำหนดเวลาเพียงแบบเดียว",
                 "อาร์กิวเมนต์ตามลำดับในรูปแบบ JSON", "วันเวลาที่สั่งงานนี้ครั้งล่าสุด"]:
        assert thai in text, thai
    for english in ["Exchange:", "Routing Key:", "AMQP Message Headers:", "Short Description For This Task",
                    "Set only one schedule type", "JSON encoded", "Set to False to disable the schedule",
                    "Datetime", "Override Exchange", "Priority Number", "Detailed description"]:
        assert english not in text, english
    crontab = admin_client.get(f"/admin/django_celery_beat/crontabschedule/{job.crontab_id}/change/")
    text = " ".join(crontab.content.decode().split())
    assert 'นาทีที่ให้ทำงาน ใช้ "*" แทนทุกนาที' in text.replace("&quot;", '"') and "Cron Minutes to Run" not in text


def test_the_login_attempt_pages_are_in_thai(admin_client):
    """django-axes' access attempt, log and failure pages: the labels and the records' titles."""
    import datetime as dt

    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    at = dt.datetime(2026, 9, 29, 6, 5, tzinfo=dt.timezone.utc)  # 13.05 in Bangkok
    common = {"username": "somchai", "ip_address": "192.0.2.1", "user_agent": "x", "http_accept": "text/html",
              "path_info": "/login/"}
    attempt = AccessAttempt.objects.create(**common, failures_since_start=2, get_data="a=1", post_data="b=2")
    log = AccessLog.objects.create(**common)
    failure = AccessFailureLog.objects.create(**common, locked_out=True)
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.update(attempt_time=at)
    pages = {
        f"/admin/axes/accessattempt/{attempt.pk}/change/": (
            ["ความพยายามเข้าสู่ระบบ ๒๙ ก.ย. ๒๕๖๙ ๑๓.๐๕ น.", "ข้อมูล GET:", "ข้อมูล POST:", "ข้อมูลในแบบฟอร์ม",
             "ข้อมูลประกอบ"],
            ["Attempted Access", "GET Data", "POST Data", "Form Data", "Meta Data"]),
        f"/admin/axes/accesslog/{log.pk}/change/": (
            ["บันทึกการเข้าสู่ระบบของ somchai ๒๙ ก.ย. ๒๕๖๙ ๑๓.๐๕ น."], ["Access Log for"]),
        f"/admin/axes/accessfailurelog/{failure.pk}/change/": (
            ["เข้าสู่ระบบไม่สำเร็จ: somchai ๒๙ ก.ย. ๒๕๖๙ ๑๓.๐๕ น. จาก 192.0.2.1 (ถูกระงับการเข้าสู่ระบบ)"],
            ["Failed access", "locked out"]),
    }
    for url, (thai, english) in pages.items():
        page = admin_client.get(url)
        assert page.status_code == 200, url
        text = " ".join(page.content.decode().split())
        for label in thai + ["ชนิดข้อมูลที่โปรแกรมรับได้ (HTTP Accept):", "หน้าที่เข้า (Path):", "หมายเลข IP:"]:
            assert label in text, (url, label)
        for label in english + ["HTTP Accept:", ">Path:<", "Path info"]:
            assert label not in text, (url, label)
