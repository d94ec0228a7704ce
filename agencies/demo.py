"""Demo officials for `make run`: one per role, all with the password in DEMO_PASSWORD (see README).

Never loaded in production: the command refuses unless EOFFICE_DEMO_DATA is set.
"""
from django.contrib.auth import get_user_model
from django.db import transaction

from agencies.models import Agency, Official, Role, RoleAssignment
from eoffice.levels import Secrecy

DEMO_PASSWORD = "demo-saraban-2569"

# username, unit name, title, rank, first, last, position, clearance, roles, staff/superuser
DEMO_USERS = [
    ("admin", "สำนักเลขาธิการคณะรัฐมนตรี", "นาย", "", "ผู้ดูแล", "ระบบ", "นักวิชาการคอมพิวเตอร์", Secrecy.NORMAL,
     [Role.ADMINISTRATOR], True),
    ("mfa.drafter", "ส่วนนโยบายและยุทธศาสตร์", "นางสาว", "", "ปราณี", "ร่างดี", "นักวิเคราะห์นโยบายและแผน",
     Secrecy.NORMAL, [Role.DRAFTER], False),
    ("mfa.reviewer", "ศูนย์เทคโนโลยีสารสนเทศและการสื่อสาร", "นาย", "", "สมชาย", "ตรวจทาน", "ผู้อำนวยการศูนย์",
     Secrecy.CONFIDENTIAL, [Role.REVIEWER], False),
    ("mfa.signer", "ศูนย์เทคโนโลยีสารสนเทศและการสื่อสาร", "นาย", "", "ดอน", "ปรมัตถ์วินัย",
     "รัฐมนตรีว่าการกระทรวงการต่างประเทศ", Secrecy.SECRET, [Role.SIGNER], False),
    ("mfa.clerk", "ศูนย์เทคโนโลยีสารสนเทศและการสื่อสาร", "นาง", "", "มาลี", "สารบรรณ", "เจ้าพนักงานธุรการ",
     Secrecy.NORMAL, [Role.REGISTRY_CLERK], False),
    ("moi.signer", "หน่วยงานเจ้าของเรื่อง ต.ก.", "", "พลเอก", "อนุพงษ์", "เผ่าจินดา", "รัฐมนตรีว่าการกระทรวงมหาดไทย",
     Secrecy.SECRET, [Role.SIGNER], False),
    ("soc.clerk", "สำนักเลขาธิการคณะรัฐมนตรี", "นางสาว", "", "วันดี", "รับหนังสือ", "เจ้าพนักงานธุรการชำนาญงาน",
     Secrecy.NORMAL, [Role.REGISTRY_CLERK], False),
    ("soc.exec", "สำนักเลขาธิการคณะรัฐมนตรี", "นาย", "", "ประสิทธิ์", "สั่งการ", "รองเลขาธิการคณะรัฐมนตรี",
     Secrecy.TOP_SECRET, [Role.EXECUTIVE, Role.SIGNER], False),
    ("soc.div.clerk", "หน่วยงานผู้รับเรื่อง ภค.", "นาย", "", "สมศักดิ์", "ลงรับ", "เจ้าพนักงานธุรการ",
     Secrecy.NORMAL, [Role.REGISTRY_CLERK], False),
    ("soc.officer", "หน่วยงานผู้รับเรื่อง ภค.", "นาง", "", "สุดา", "ปฏิบัติงาน", "นักวิเคราะห์นโยบายและแผนชำนาญการ",
     Secrecy.CONFIDENTIAL, [], False),
    ("soc.secret", "สำนักเลขาธิการคณะรัฐมนตรี", "นาย", "", "ชาตรี", "รักษาลับ", "นายทะเบียนเอกสารลับ",
     Secrecy.TOP_SECRET, [Role.SECRET_REGISTRAR], False),
]


@transaction.atomic
def demo_data_load() -> int:
    User = get_user_model()
    for username, unit_name, title, rank, first, last, position, clearance, roles, is_admin in DEMO_USERS:
        unit = Agency.objects.get(name=unit_name)
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(DEMO_PASSWORD)
        user.is_staff = user.is_superuser = is_admin
        user.email = f"{username}@example.go.th"
        user.save()
        official, _ = Official.objects.update_or_create(
            user=user,
            defaults=dict(title=title, rank=rank, first_name=first, last_name=last, position=position, unit=unit,
                          clearance=clearance, email=user.email),
        )
        for role in roles:
            RoleAssignment.objects.get_or_create(official=official, role=role, unit=unit)
    return len(DEMO_USERS)
