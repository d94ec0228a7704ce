"""Uploaded files: only real PDFs, no larger than ``EOFFICE_MAX_UPLOAD_BYTES``, stored under generated names.

A file is judged by its content, never by its name or declared type. Refused, with a Thai message for the
clerk: anything that is not a PDF, a PDF cut short (no ``%%EOF`` at its end), one that cannot be parsed or
has no page, an encrypted one (the portal could neither read nor stamp it), and one that carries active
content a reader may run: JavaScript (``/JS``, ``/JavaScript``), launch, form-submission or import actions
(also as ``/OpenAction`` or ``/AA``), XFA forms and embedded executables. Links (``/URI``) and ordinary
attachments such as the ``letter.json`` the portal's own letters carry are allowed.

Files are stored under random names (``incoming/<year>/<uuid>.pdf``), in ``MEDIA_ROOT`` which the web
server never serves: every download goes through a permission-checked view.
"""
from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError

from eoffice import thai

NOT_PDF = "ไฟล์ต้องเป็น PDF เท่านั้น"
TRUNCATED = "ไฟล์ PDF ไม่สมบูรณ์ (ไม่พบจุดสิ้นสุดของไฟล์ อาจอัปโหลดไม่ครบ) กรุณาส่งไฟล์ใหม่"
MALFORMED = "ไฟล์ PDF เสียหายหรือไม่ถูกต้องตามรูปแบบ เปิดอ่านไม่ได้ กรุณาส่งไฟล์ใหม่"
NO_PAGES = "ไฟล์ PDF ไม่มีหน้าเอกสาร"
ENCRYPTED = "ไฟล์ PDF ถูกเข้ารหัสหรือตั้งรหัสผ่านไว้ ระบบจึงอ่านและประทับตรารับไม่ได้ กรุณาส่งไฟล์ที่ไม่เข้ารหัส"
ACTIVE_CONTENT = ("ไฟล์ PDF มีสคริปต์หรือคำสั่งที่ทำงานได้เอง ({what}) ซึ่งไม่อนุญาตเพื่อความปลอดภัย "
                  "กรุณาพิมพ์เป็น PDF ใหม่หรือสแกนเอกสารแล้วส่งอีกครั้ง")
EXECUTABLE = "ไฟล์ PDF มีไฟล์โปรแกรมแนบอยู่ ({name}) ซึ่งไม่อนุญาตเพื่อความปลอดภัย"

# Action types (/S) that run code or send data away; /URI and /GoTo are plain navigation.
_ACTIVE_ACTIONS = {"/JavaScript": "JavaScript", "/Launch": "Launch", "/SubmitForm": "SubmitForm",
                   "/ImportData": "ImportData", "/RichMediaExecute": "RichMedia", "/GoToE": "GoToE"}
# Keys that hold scripts or script-capable content wherever they appear.
_ACTIVE_KEYS = {"/JS": "JavaScript", "/JavaScript": "JavaScript", "/XFA": "XFA", "/RichMedia": "RichMedia"}
_EXECUTABLE_SUFFIXES = (".exe", ".dll", ".com", ".scr", ".bat", ".cmd", ".msi", ".ps1", ".vbs", ".vbe", ".js",
                        ".jse", ".wsf", ".hta", ".jar", ".sh", ".lnk", ".app", ".elf", ".so", ".dmg", ".apk")
_EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")
# Bounds on the walk: a hostile file must not make the check itself the attack.
_MAX_OBJECTS = 200_000


def refuse(message: str) -> ValidationError:
    return ValidationError({"pdf": message})


def too_large_message() -> str:
    mb = settings.EOFFICE_MAX_UPLOAD_BYTES // (1024 * 1024)
    return f"ไฟล์ใหญ่เกินกำหนด (ไม่เกิน {thai.to_thai_digits(str(mb))} เมกะไบต์)"


def _size(f) -> int:
    size = getattr(f, "size", None)
    if size is None:
        pos = f.tell()
        f.seek(0, 2)
        size = f.tell()
        f.seek(pos)
    return size


def pdf_check(f) -> None:
    """Raise ValidationError({"pdf": Thai message}) unless ``f`` is a PDF the portal accepts.
    The size is checked before a single byte is read; the file position is left at 0."""
    size = _size(f)
    if size > settings.EOFFICE_MAX_UPLOAD_BYTES:
        raise refuse(too_large_message())
    try:
        f.seek(0)
        if f.read(5) != b"%PDF-":
            raise refuse(NOT_PDF)
        f.seek(max(0, size - 1024))
        if b"%%EOF" not in f.read(1024):
            raise refuse(TRUNCATED)
        f.seek(0)
        _inspect(f)
    finally:
        f.seek(0)


def _inspect(f) -> None:
    from pypdf import PdfReader

    try:
        reader = PdfReader(f, strict=False)
        if reader.is_encrypted:
            raise refuse(ENCRYPTED)
        pages = len(reader.pages)
    except ValidationError:
        raise
    except Exception:  # pypdf raises many types on broken input; each means "cannot be read"
        raise refuse(MALFORMED) from None
    if pages < 1:
        raise refuse(NO_PAGES)
    try:
        problem = _active_content(reader)
    except ValidationError:
        raise
    except Exception:
        raise refuse(MALFORMED) from None
    if problem:
        raise refuse(problem)


def _active_content(reader) -> str | None:
    """The first thing a reader could run, walking every object reachable from the trailer."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    seen: set[tuple[int, int]] = set()
    stack = [reader.trailer]
    walked = 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            walked += 1
            if walked > _MAX_OBJECTS:
                raise refuse(MALFORMED)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):  # StreamObject is one too: its dictionary, never its data
            for name, what in _ACTIVE_KEYS.items():
                if name in obj:
                    return ACTIVE_CONTENT.format(what=what)
            action = obj.get("/S")
            if action in _ACTIVE_ACTIONS:
                return ACTIVE_CONTENT.format(what=_ACTIVE_ACTIONS[action])
            if "/EF" in obj:
                message = _executable_attachment(obj)
                if message:
                    return message
            stack.extend(v for k, v in obj.items() if not (isinstance(obj, StreamObject) and k == "/Length"))
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return None


def _executable_attachment(filespec) -> str | None:
    names = [str(filespec.get(k, "")) for k in ("/UF", "/F")]
    for name in names:
        if name.lower().endswith(_EXECUTABLE_SUFFIXES):
            return EXECUTABLE.format(name=name)
    ef = filespec["/EF"].get_object()
    for stream in ef.values():
        try:
            head = stream.get_object().get_data()[:8]
        except Exception:
            return MALFORMED
        if head.startswith(_EXECUTABLE_MAGIC):
            return EXECUTABLE.format(name=next((n for n in names if n), "ไม่มีชื่อ"))
    return None


def stored_name(suffix: str = ".pdf") -> str:
    """A random file name: what a user uploaded never decides where or under what name it is stored."""
    return f"{uuid.uuid4().hex}{suffix}"


def discard_written(*files) -> None:
    """Delete files written for records that were then refused or rolled back (FieldFiles; empty ones are
    skipped): no file without its record. A file that cannot be removed is logged, not raised: the
    refusal that brought us here is what the caller must see."""
    for f in files:
        if f is None or not f.name:
            continue
        try:
            f.storage.delete(f.name)
        except OSError:
            logging.getLogger("eoffice.uploads").exception("could not remove %s after a failed write", f.name)
