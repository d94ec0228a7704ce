"""Forms of the officials' pages. They only collect and clean input; the services decide."""
from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from correspondence.models import Channel, ItemState, LetterKind
from eoffice import thai
from eoffice.forms import ThaiDateField, ThaiDateInput
from eoffice.thai import to_thai_digits
from eoffice.levels import Secrecy, Urgency

# Which parts of the letter spec each kind's form asks for (docs/letter-spec.md, "Required elements").
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "external": ("subject", "salutation", "recipient", "body", "closing"),
    "memo": ("subject", "salutation", "recipient", "body"),
    "stamped": ("recipient", "body", "stamp_initials"),
    "order": ("subject", "body"),
    "regulation": ("title", "about", "edition", "body"),
    "bylaw": ("title", "about", "edition", "body"),
    "announcement": ("subject", "body"),
    "statement": ("title", "subject", "edition", "body"),
    "news": ("title", "subject", "edition", "body"),
    "certificate": ("body",),
    "minutes": ("title", "meeting_number", "meeting_when", "meeting_place", "meeting_present", "meeting_absent",
                "meeting_attending", "meeting_opened", "body", "meeting_closed", "meeting_recorder"),
    "record": ("subject", "body"),
}
SENDABLE = {"external", "memo", "stamped"}
SIGNED_KINDS = {"external", "memo", "order", "regulation", "bylaw", "announcement", "certificate", "record"}
MEETING_FIELDS = ("meeting_number", "meeting_when", "meeting_place", "meeting_present", "meeting_absent",
                  "meeting_attending", "meeting_opened", "meeting_closed", "meeting_recorder")
SPEC_TEXT = ("subject", "salutation", "recipient", "closing", "title", "about", "edition", "stamp_initials")


def _lines(text) -> list[str]:
    """One entry a line (names of those at a meeting), blank lines out."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class OrderedSelects(forms.SelectMultiple):
    """The review chain as numbered single selects that share one name: the browser posts them in page
    order, so the order chosen is the order kept (a multiple select posts its options' order instead)."""

    slots = 3

    def render(self, name, value, attrs=None, renderer=None):
        from django.utils.html import format_html, format_html_join

        values = [str(v) for v in (value or []) if v not in (None, "")]
        count = max(self.slots, len(values) + 1)
        base_id = (attrs or {}).get("id") or f"id_{name}"
        if base_id.endswith("_0"):
            base_id = base_id[:-2]
        rows = []
        for i in range(count):
            chosen = values[i] if i < len(values) else ""
            options = format_html_join("", '<option value="{}"{}>{}</option>', [
                ("", "" if chosen else " selected", "— ไม่มี —"),
                *((str(v), " selected" if str(v) == chosen else "", label) for v, label in self.choices if v != "")])
            rows.append(format_html('<div class="ordered"><label for="{}_{}">ลำดับที่ {}</label>'
                                    '<select name="{}" id="{}_{}">{}</select></div>',
                                    base_id, i, to_thai_digits(str(i + 1)), name, base_id, i, options))
        return format_html('<div class="ordered-selects" id="{}">{}</div>', base_id, format_html_join("", "{}", ((r,) for r in rows)))

    def id_for_label(self, id_, index=None):
        return f"{id_}_0" if id_ else id_  # the field's label names the first step

    def value_from_datadict(self, data, files, name):
        seen, ordered = set(), []
        for v in data.getlist(name) if hasattr(data, "getlist") else (data.get(name) or []):
            if v not in ("", None) and v not in seen:  # empty slots out; a person once
                seen.add(v)
                ordered.append(v)
        return ordered


class DraftForm(forms.Form):
    """A letter of one kind. ``references`` are register lines the drafter may see; ``recipients``
    agencies in the portal; ``body`` one paragraph per line."""

    subject = forms.CharField(label=_("เรื่อง"), max_length=1000, required=False)
    title = forms.CharField(label=_("ชื่อเรื่อง (หัวเอกสาร)"), max_length=500, required=False)
    about = forms.CharField(label=_("ว่าด้วย"), max_length=500, required=False)
    edition = forms.CharField(label=_("ฉบับที่"), max_length=64, required=False)
    salutation = forms.CharField(label=_("คำขึ้นต้น"), max_length=255, required=False)
    recipient = forms.CharField(label=_("ผู้รับ (ตำแหน่ง)"), max_length=500, required=False,
                                help_text="ระบุตำแหน่ง ไม่ใช่ชื่อบุคคล เช่น เลขาธิการคณะรัฐมนตรี")
    closing = forms.CharField(label=_("คำลงท้าย"), max_length=255, required=False)
    stamp_initials = forms.CharField(label=_("อักษรย่อผู้รับผิดชอบ"), max_length=64, required=False)
    meeting_number = forms.CharField(label=_("ครั้งที่"), max_length=64, required=False)
    meeting_when = ThaiDateField(label=_("เมื่อวันที่"), required=False, widget=ThaiDateInput())
    meeting_place = forms.CharField(label=_("ณ"), max_length=255, required=False)
    meeting_present = forms.CharField(label=_("ผู้มาประชุม (บรรทัดละคน)"), required=False, widget=forms.Textarea(
        attrs={"rows": 3}))
    meeting_absent = forms.CharField(label=_("ผู้ไม่มาประชุม (บรรทัดละคน)"), required=False, widget=forms.Textarea(
        attrs={"rows": 2}), help_text="ระบุเหตุในวงเล็บได้ เช่น นายสมศักดิ์ ทำดี (ติดราชการ)")
    meeting_attending = forms.CharField(label=_("ผู้เข้าร่วมประชุม (บรรทัดละคน)"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 2}))
    meeting_opened = forms.CharField(label=_("เริ่มประชุมเวลา"), max_length=32, required=False,
                                     widget=forms.TextInput(attrs={"placeholder": "๙.๓๐ น."}))
    body = forms.CharField(label=_("ข้อความ (ย่อหน้าละบรรทัด)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 10}))
    meeting_closed = forms.CharField(label=_("เลิกประชุมเวลา"), max_length=32, required=False,
                                     widget=forms.TextInput(attrs={"placeholder": "๑๒.๐๐ น."}))
    meeting_recorder = forms.CharField(label=_("ผู้จดรายงานการประชุม"), max_length=255, required=False)
    urgency = forms.TypedChoiceField(label=_("ชั้นความเร็ว"), choices=Urgency.choices, coerce=int, initial=0)
    secrecy = forms.TypedChoiceField(label=_("ชั้นความลับ"), choices=Secrecy.choices, coerce=int, initial=0)
    references = forms.TypedMultipleChoiceField(label=_("อ้างถึง (หนังสือในทะเบียน)"), coerce=int, required=False)
    reference_text = forms.CharField(label=_("อ้างถึง (หนังสืออื่น บรรทัดละรายการ)"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    recipients = forms.TypedMultipleChoiceField(label=_("ส่งถึงส่วนราชการ"), coerce=int, required=False)
    outside = forms.CharField(
        label=_("ผู้รับภายนอกระบบ (บรรทัดละราย: ชื่อ | ที่อยู่ | อีเมล)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="เช่น นายสมปอง ใจดี | ๑๒ ถนนราชดำเนิน กรุงเทพฯ ๑๐๒๐๐ | sompong@example.com (ไม่มีอีเมลจะส่งทางไปรษณีย์)")
    copies = forms.TypedMultipleChoiceField(label=_("สำเนาส่ง (ส่วนราชการในระบบ)"), coerce=int, required=False)
    copies_text = forms.CharField(label=_("สำเนาส่ง (อื่น ๆ บรรทัดละราย)"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    deliver_by = ThaiDateField(label=_("ด่วนภายในวันที่"), required=False, widget=ThaiDateInput())
    deliver_time = forms.TimeField(label=_("ด่วนภายในเวลา (ถ้ามี)"), required=False, input_formats=["%H:%M", "%H.%M"],
                                   error_messages={"invalid": "เวลาไม่ถูกต้อง เช่น 16.30"})
    is_circular = forms.BooleanField(label=_("หนังสือเวียน (ว)"), required=False)
    series_prefix = forms.CharField(label=_("ชุดเลข (ถ้ามี เช่น ต.ก.)"), max_length=16, required=False)
    signer = forms.TypedChoiceField(label=_("ผู้ลงนาม"), coerce=int, required=False, empty_value=None)
    reviewers = forms.TypedMultipleChoiceField(label=_("ผู้ตรวจทาน (ตามลำดับ)"), coerce=int, required=False,
                                               widget=OrderedSelects)

    def __init__(self, *args, kind: str, entries=(), agencies=(), signers=(), reviewers=(), salutations=(),
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.entries = {e.pk: e for e in entries}  # the citable lines offered, by id
        self.fields["references"].choices = [
            (e.pk, f"{e.book.get_kind_display()} เลขที่ {thai.to_thai_digits(str(e.number))} — "
                   f"{e.their_number or '-'} {e.subject[:80]}") for e in entries]
        self.fields["recipients"].choices = [(a.pk, a.name) for a in agencies]
        self.fields["copies"].choices = [(a.pk, a.name) for a in agencies]
        self.fields["signer"].choices = [("", "— เลือกผู้ลงนาม —")] + [
            (o.pk, f"{o.display_name} ({o.position})") for o in signers]
        self.fields["reviewers"].choices = [(o.pk, f"{o.display_name} ({o.position})") for o in reviewers]
        self.salutations = list(salutations)
        wanted = set(KIND_FIELDS[kind])
        for name in ("subject", "title", "about", "edition", "salutation", "recipient", "closing", "stamp_initials",
                     *MEETING_FIELDS, "body"):
            if name not in wanted:
                del self.fields[name]
        if kind not in SENDABLE:
            for name in ("recipients", "outside", "copies", "copies_text", "is_circular", "series_prefix"):
                del self.fields[name]
        if kind not in ("external", "memo", "stamped", "order", "announcement"):
            del self.fields["deliver_by"], self.fields["deliver_time"]
        if kind not in SIGNED_KINDS:
            del self.fields["signer"]
        # The salutation table behind the opening and closing: the openings in a list, closings that go with each.
        if "salutation" in self.fields:
            closings: dict[str, list[str]] = {}
            for r in self.salutations:  # every closing that goes with an opening, in the table's order
                if r.closing not in closings.setdefault(r.opening, []):
                    closings[r.opening].append(r.closing)
            self.fields["salutation"].widget = forms.TextInput(attrs={
                "list": "salutation-openings", "data-closings": json.dumps(closings, ensure_ascii=False)})
        if "closing" in self.fields:
            self.fields["closing"].widget = forms.TextInput(attrs={"list": "salutation-closings"})

    def field_groups(self):
        return [self[name] for name in self.fields]

    def spec(self, reference_texts=()) -> dict:
        """The letter spec (without number, date, issuer and signer, which the portal fills in)."""
        d = self.cleaned_data
        spec = {"kind": self.kind, "urgency": Urgency(d.get("urgency") or 0).spec_name,
                "secrecy": Secrecy(d.get("secrecy") or 0).spec_name}
        for key in SPEC_TEXT:
            if key in self.fields and (d.get(key) or "").strip():
                spec[key] = d[key].strip()
        if "body" in self.fields:
            spec["body"] = [line.strip() for line in (d.get("body") or "").splitlines() if line.strip()]
        if d.get("deliver_by"):
            import datetime as dt

            day, time = d["deliver_by"], d.get("deliver_time")
            spec["deliver_by"] = (dt.datetime.combine(day, time).strftime("%Y-%m-%dT%H:%M") if time
                                  else day.isoformat())
        if self.kind == "minutes":
            spec["meeting"] = self.meeting()
        refs = list(reference_texts) + self.free_references()
        if refs:
            spec["references"] = refs
        return spec

    def meeting(self) -> dict:
        """รายงานการประชุม's ``meeting`` as the API takes it (docs/letter-spec.md): what was filled in."""
        d = self.cleaned_data
        meeting = {"number": (d.get("meeting_number") or "").strip(), "place": (d.get("meeting_place") or "").strip()}
        if d.get("meeting_when"):
            meeting["when"] = d["meeting_when"].isoformat()
        for key in ("present", "absent", "attending"):
            names = _lines(d.get(f"meeting_{key}"))
            if names or key == "present":
                meeting[key] = names
        for key in ("opened", "closed", "recorder"):
            if d.get(f"meeting_{key}"):
                meeting[key] = d[f"meeting_{key}"]
        return meeting

    def _meeting_time(self, name: str) -> str:
        """A time as the typing guide writes it (``๙.๓๐ น.``), from ``9.30``, ``09:30``, ``๐๙.๓๐ น.``."""
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            return ""
        try:
            return thai.format_time(thai.parse_time(text))
        except thai.ThaiFormatError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_meeting_opened(self):
        return self._meeting_time("meeting_opened")

    def clean_meeting_closed(self):
        return self._meeting_time("meeting_closed")

    def clean(self):
        cleaned = super().clean()
        opened, closed = cleaned.get("meeting_opened"), cleaned.get("meeting_closed")
        if opened and closed and thai.parse_time(closed) <= thai.parse_time(opened):
            self.add_error("meeting_closed", "เวลาเลิกประชุมต้องหลังเวลาเริ่มประชุม")
        return cleaned

    def recipient_rows(self) -> list[dict] | None:
        """Recipients for the letter service: agencies, outside addressees, and copies (สำเนาส่ง)."""
        if "recipients" not in self.fields:
            return None
        d = self.cleaned_data
        rows = [{"agency": a} for a in d.get("recipients") or []]
        for line in (d.get("outside") or "").splitlines():
            parts = [p.strip() for p in line.split("|")]
            if parts and parts[0]:
                rows.append({"name": parts[0], "address": parts[1] if len(parts) > 1 else "",
                             "email": parts[2] if len(parts) > 2 else ""})
        rows += [{"agency": a, "is_copy": True} for a in d.get("copies") or [] if a not in (d.get("recipients") or [])]
        rows += [{"name": line.strip(), "is_copy": True} for line in (d.get("copies_text") or "").splitlines()
                 if line.strip()]
        return rows

    def clean_outside(self):
        from django.core.validators import validate_email

        text = self.cleaned_data.get("outside") or ""
        for n, line in enumerate(text.splitlines(), start=1):
            parts = [p.strip() for p in line.split("|")]
            if len(parts) > 2 and parts[2]:
                try:
                    validate_email(parts[2])
                except forms.ValidationError:
                    raise forms.ValidationError(f"บรรทัดที่ {n}: อีเมล {parts[2]} ไม่ถูกต้อง") from None
        return text

    def free_references(self) -> list[str]:
        return [line.strip() for line in (self.cleaned_data.get("reference_text") or "").splitlines() if line.strip()]

    def reference_rows(self) -> list[dict]:
        return [{"entry": pk} for pk in self.cleaned_data.get("references") or []] + [
            {"text": t} for t in self.free_references()]


class EnclosureForm(forms.Form):
    description = forms.CharField(label=_("รายการสิ่งที่ส่งมาด้วย"), max_length=500,
                                  error_messages={"required": "กรุณาระบุรายการสิ่งที่ส่งมาด้วย"})
    quantity = forms.CharField(label=_("จำนวน"), max_length=64, required=False, initial="๑ ชุด")
    file = forms.FileField(label=_("ไฟล์"), required=False)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("ผลการตรวจทาน"), choices=[("approve", "เห็นชอบ"), ("return", "ส่งคืนแก้ไข")],
                                 widget=forms.RadioSelect)
    comment = forms.CharField(label=_("ความเห็น"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SignForm(forms.Form):
    secret = forms.CharField(label=_("รหัส PIN หรือรหัสผ่านของกุญแจลงนาม"), strip=False, required=False,
                             widget=forms.PasswordInput(attrs={"autocomplete": "off"}))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("เหตุที่ยกเลิก"), max_length=500)


class RouteForm(forms.Form):
    to_units = forms.TypedMultipleChoiceField(label=_("ส่งต่อถึงหน่วยงาน"), coerce=int,
                                              widget=forms.CheckboxSelectMultiple, error_messages={
                                                  "required": "กรุณาเลือกหน่วยงานที่จะส่งต่ออย่างน้อยหนึ่งหน่วยงาน"})
    note = forms.CharField(label=_("การปฏิบัติ / หมายเหตุ"), max_length=500, required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_units"].choices = [(u.pk, u.name) for u in units]
        self.fields["note"].widget.attrs["list"] = "routing-phrases"


class MinuteForm(forms.Form):
    action = forms.CharField(label=_("การสั่งการ"), max_length=255,
                             help_text="ขึ้นต้นด้วย เพื่อโปรดทราบ / เพื่อโปรดพิจารณา / มอบ … / จัดเข้าวาระ …")
    text = forms.CharField(label=_("ข้อความเพิ่มเติม"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    assignee = forms.TypedChoiceField(label=_("ผู้รับผิดชอบ"), coerce=int, required=False, empty_value=None)
    due = ThaiDateField(label=_("กำหนดเสร็จ"), required=False, widget=ThaiDateInput())

    def __init__(self, *args, officials=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].widget.attrs["list"] = "minute-phrases"
        self.fields["assignee"].choices = [("", "— ไม่ระบุ —")] + [
            (o.pk, f"{o.display_name} ({o.position}, {o.unit.short_name or o.unit.name})") for o in officials]


class PresentForm(forms.Form):
    to = forms.TypedChoiceField(label=_("เสนอผู้บังคับบัญชา"), coerce=int,
                                error_messages={"required": "กรุณาเลือกผู้บังคับบัญชาที่จะเสนอ"})

    def __init__(self, *args, officials=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [("", "— เลือก —")] + [
            (o.pk, f"{o.display_name} ({o.position}, {o.unit.short_name or o.unit.name})") for o in officials]


class CloseForm(forms.Form):
    filed_at = forms.CharField(label=_("เก็บที่"), max_length=500)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("เหตุที่ปฏิเสธการรับ (ผู้ส่งจะเห็นข้อความนี้)"), max_length=500)


class ReceiveForm(forms.Form):
    """รับหนังสือ: a letter that came on paper (scanned) or by e-mail, as the clerk confirms it."""

    pdf = forms.FileField(label=_("แฟ้มหนังสือ (PDF สแกน)"), required=False,
                          help_text="เลือกแฟ้มแล้วระบบจะอ่านเลขที่ วันที่ และเรื่องจากแฟ้มมาให้ตรวจ")
    unit = forms.TypedChoiceField(label=_("รับในนามหน่วยงาน"), coerce=int)
    channel = forms.ChoiceField(label=_("ช่องทาง"), choices=[(Channel.SCAN, "สแกนจากกระดาษ"),
                                                              (Channel.EMAIL, "ไปรษณีย์อิเล็กทรอนิกส์")])
    their_number = forms.CharField(label=_("ที่ (เลขที่หนังสือ)"), max_length=128, required=False,
                                   help_text="เช่น กต ๐๒๐๓/๖๓๘๑ หรือ ๑/๒๕๖๙ เว้นว่างหรือใส่ - หากหนังสือไม่มีเลขที่")
    dated = ThaiDateField(label=_("ลงวันที่"), required=False, widget=ThaiDateInput())
    sender_text = forms.CharField(label=_("จาก (ผู้ส่ง)"), max_length=500,
                                  error_messages={"required": "กรุณาระบุผู้ส่ง"})
    addressee = forms.CharField(label=_("ถึง"), max_length=500, required=False)
    subject = forms.CharField(label=_("เรื่อง"), max_length=1000, error_messages={"required": "กรุณาระบุเรื่อง"})
    urgency = forms.TypedChoiceField(label=_("ชั้นความเร็ว"), choices=Urgency.choices, coerce=int, initial=0)
    secrecy = forms.TypedChoiceField(label=_("ชั้นความลับ"), choices=Secrecy.choices, coerce=int, initial=0)
    deliver_by = ThaiDateField(label=_("ด่วนภายในวันที่"), required=False, widget=ThaiDateInput())
    deliver_time = forms.TimeField(label=_("เวลา (ถ้ามี)"), required=False, input_formats=["%H:%M", "%H.%M"],
                                   widget=forms.TimeInput(format="%H.%M", attrs={"placeholder": "๑๖.๓๐"}),
                                   error_messages={"invalid": "เวลาไม่ถูกต้อง เช่น 16.30"})
    register_now = forms.BooleanField(label=_("ลงทะเบียนรับทันที"), required=False, initial=True)
    confirm_duplicate = forms.BooleanField(label=_("ยืนยันการลงรับซ้ำ"), required=False)

    # What makes a letter the same one again (receiving.duplicate_find): a change to these checks it.
    duplicate_fields = ("unit", "their_number", "dated", "sender_text")

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]

    def deliver_at(self):
        import datetime as dt

        from eoffice import thai

        day, time = self.cleaned_data.get("deliver_by"), self.cleaned_data.get("deliver_time")
        if not day:
            return None
        return dt.datetime.combine(day, time or dt.time(16, 30), tzinfo=thai.BANGKOK)

    def details(self) -> dict:
        """The letter's details as receiving.incoming_receive and incoming_correct take them."""
        d = self.cleaned_data
        return {**{name: d.get(name) or "" for name in ("their_number", "sender_text", "addressee", "subject")},
                "dated": d.get("dated"), "urgency": d["urgency"], "secrecy": d["secrecy"],
                "deliver_by": self.deliver_at()}


class ItemEditForm(ReceiveForm):
    """แก้ไขรายละเอียด of an item not yet registered: the receiving form's fields and rules, without the
    file, the unit and the channel, which stay as the item came."""

    kept = ("pdf", "unit", "channel", "register_now", "confirm_duplicate")

    def __init__(self, *args, item, **kwargs):
        kwargs.setdefault("initial", self.initial_from(item))
        super().__init__(*args, units=[item.unit], **kwargs)
        for name in self.kept:
            del self.fields[name]

    @staticmethod
    def initial_from(item) -> dict:
        """The item's correctable details (receiving.item_details), ด่วนภายใน split into its date and time."""
        from correspondence.services.receiving import item_details

        initial = item_details(item)
        if item.deliver_by:
            local = item.deliver_by.astimezone(thai.BANGKOK)
            initial |= {"deliver_by": local.date(), "deliver_time": local.time()}
        return initial


class ReserveForm(forms.Form):
    """จองเลข: the next number of the book for a letter made outside the portal."""

    note = forms.CharField(label=_("หมายเหตุ (ถ้ามี)"), max_length=1000, required=False,
                           help_text="เช่น หนังสือที่พิมพ์นอกระบบ เรื่องที่จะออกเลข")


class ReservationFillForm(forms.Form):
    """บันทึกรายละเอียดของเลขที่จองไว้, with the scanned letter."""

    subject = forms.CharField(label=_("เรื่อง"), max_length=1000, error_messages={"required": "กรุณาระบุเรื่อง"})
    their_number = forms.CharField(label=_("ที่"), max_length=128, required=False)
    dated = ThaiDateField(label=_("ลงวันที่"), required=False, widget=ThaiDateInput())
    from_text = forms.CharField(label=_("จาก"), max_length=500, required=False)
    to_text = forms.CharField(label=_("ถึง"), max_length=500, required=False)
    remarks = forms.CharField(label=_("หมายเหตุ"), max_length=1000, required=False)
    pdf = forms.FileField(label=_("แฟ้มหนังสือ (PDF สแกน)"), required=False,
                          widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))

    def columns(self) -> dict:
        """The line's columns as reservation_fill takes them."""
        d = self.cleaned_data
        text = {name: d.get(name) or "" for name in ("subject", "their_number", "from_text", "to_text", "remarks")}
        return {**text, "dated": d.get("dated")}


class ReservationVoidForm(forms.Form):
    reason = forms.CharField(label=_("เหตุที่ยกเลิกเลข"), max_length=500,
                             error_messages={"required": "กรุณาระบุเหตุที่ยกเลิกเลข"})


class QueueFilterForm(forms.Form):
    year = forms.IntegerField(label=_("ปี พ.ศ."), required=False, min_value=2400, max_value=2700, error_messages={
        "min_value": "ใช้ปีพุทธศักราช เช่น ๒๕๖๙", "max_value": "ใช้ปีพุทธศักราช เช่น ๒๕๖๙",
        "invalid": "ปีต้องเป็นตัวเลข ใช้ปีพุทธศักราช เช่น ๒๕๖๙"})
    series = forms.CharField(label=_("ชุดเลข"), required=False, max_length=16)
    urgency = forms.TypedChoiceField(label=_("ชั้นความเร็ว"), choices=[("", "ทั้งหมด")] + Urgency.choices, coerce=int,
                                     required=False, empty_value=None)
    secrecy = forms.TypedChoiceField(label=_("ชั้นความลับ"), choices=[("", "ทั้งหมด")] + Secrecy.choices, coerce=int,
                                     required=False, empty_value=None)
    sender = forms.CharField(label=_("ผู้ส่ง"), required=False, max_length=200)
    date_from = ThaiDateField(label=_("รับตั้งแต่วันที่"), required=False, widget=ThaiDateInput())
    date_to = ThaiDateField(label=_("ถึงวันที่"), required=False, widget=ThaiDateInput())
    state = forms.ChoiceField(label=_("สถานะ"), choices=[("", "ยังไม่ปิดเรื่อง")] + ItemState.choices, required=False)


class ExportForm(forms.Form):
    date_from = ThaiDateField(label=_("ตั้งแต่วันที่"), required=False, widget=ThaiDateInput())
    date_to = ThaiDateField(label=_("ถึงวันที่"), required=False, widget=ThaiDateInput())

    def clean(self):
        from django.core.exceptions import ValidationError

        from correspondence.services.exports import validate_range

        data = super().clean()
        try:
            validate_range(data.get("date_from"), data.get("date_to"))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(field, errors)
        return data


KIND_CHOICES = LetterKind.choices


# --- บัญชีหนังสือขอทำลาย ------------------------------------------------------------------------------------


def _official_choices(officials):
    return [(o.pk, f"{o.display_name} ({o.position}, {o.unit.short_name or o.unit.name})") for o in officials]


class CommitteeAppointForm(forms.Form):
    """แต่งตั้งคณะกรรมการทำลายหนังสือ: the chair and at least two members (the service checks the rules)."""

    chair = forms.TypedChoiceField(label=_("ประธานกรรมการ"), coerce=int,
                                   error_messages={"required": "กรุณาเลือกประธานกรรมการ"})
    members = forms.TypedMultipleChoiceField(label=_("กรรมการ"), coerce=int, widget=forms.CheckboxSelectMultiple,
                                             error_messages={"required": "กรุณาเลือกกรรมการอย่างน้อยสองคน"})

    def __init__(self, *args, officials=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = _official_choices(officials)
        self.fields["chair"].choices = [("", "— เลือก —")] + choices
        self.fields["members"].choices = choices


class DestructionReviewForm(forms.Form):
    agreed = forms.TypedChoiceField(label=_("ความเห็นของกรรมการ"), widget=forms.RadioSelect,
                                    choices=[("1", "เห็นชอบให้ทำลาย"), ("0", "ไม่เห็นชอบ")],
                                    coerce=lambda v: v == "1", error_messages={"required": "กรุณาเลือกความเห็น"})
    note = forms.CharField(label=_("ความเห็นเพิ่มเติม (ต้องระบุเมื่อไม่เห็นชอบ)"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ArchivesSendForm(forms.Form):
    sent_on = ThaiDateField(label=_("ส่งกรมศิลปากรเมื่อวันที่"), widget=ThaiDateInput(),
                            error_messages={"required": "กรุณาระบุวันที่ส่งบัญชีให้กรมศิลปากร"})


class ArchivesAnswerForm(forms.Form):
    """คำตอบของกรมศิลปากร: it agrees, or names the lines whose items it wants kept."""

    answer = forms.ChoiceField(label=_("คำตอบของกรมศิลปากร"), widget=forms.RadioSelect,
                               choices=[("agreed", "เห็นชอบให้ทำลายทั้งบัญชี"), ("keep_some", "ขอเก็บไว้บางรายการ")],
                               error_messages={"required": "กรุณาเลือกคำตอบของกรมศิลปากร"})
    keep = forms.TypedMultipleChoiceField(label=_("รายการที่กรมศิลปากรขอเก็บ"), coerce=int, required=False,
                                          widget=forms.CheckboxSelectMultiple)
    answered_on = ThaiDateField(label=_("กรมศิลปากรตอบเมื่อวันที่"), widget=ThaiDateInput(),
                                error_messages={"required": "กรุณาระบุวันที่ของหนังสือตอบจากกรมศิลปากร"})

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [(line.item_id, f"{line.receipt_number} {line.subject}") for line in lines]

    def clean(self):
        data = super().clean()
        if data.get("answer") == "keep_some" and not data.get("keep"):
            self.add_error("keep", "กรุณาเลือกรายการที่กรมศิลปากรขอเก็บไว้")
        if data.get("answer") == "agreed":
            data["keep"] = []  # an agreement keeps nothing, whatever was ticked
        return data
