"""Check the digital signatures of every stored PDF (letters sent, items received): after restoring a
backup, or at any time. Exit status 1 when a signed file does not validate or a file is missing."""
from django.core.management.base import BaseCommand, CommandError

from correspondence.models import IncomingItem, Letter
from signatures import selectors, validation


def documents():
    """(label, field file, agency whose trust anchors apply), each stored file once."""
    seen = set()
    for letter in Letter.objects.exclude(pdf="").select_related("issuing_unit").order_by("pk"):
        if letter.pdf.name not in seen:
            seen.add(letter.pdf.name)
            yield f"letter:{letter.pk}", letter.pdf, letter.issuing_unit
    for item in IncomingItem.objects.exclude(pdf="").select_related("unit").order_by("pk"):
        if item.pdf.name not in seen:
            seen.add(item.pdf.name)
            yield f"item:{item.pk}", item.pdf, item.unit


class Command(BaseCommand):
    help = "ตรวจลายมือชื่อดิจิทัลของไฟล์ PDF ทุกฉบับที่เก็บไว้ (หนังสือส่งและหนังสือรับ)"

    def handle(self, *args, **options):
        counts = {"ok": 0, "unsigned": 0, "failed": 0, "missing": 0}
        for label, field, agency in documents():
            try:
                with field.open("rb") as f:
                    data = f.read()
            except (FileNotFoundError, OSError):
                counts["missing"] += 1
                self.stdout.write(self.style.ERROR(f"MISSING {label} {field.name}"))
                continue
            report = validation.validate_pdf(data, selectors.signing_settings_for(agency).policy())
            if report.get("readable", True) and not report.get("signatures"):
                counts["unsigned"] += 1
                self.stdout.write(f"unsigned {label} {field.name}")
            elif selectors.report_status(report) == "ok":
                counts["ok"] += 1
                self.stdout.write(f"ok      {label} {field.name} ({len(report['signatures'])} signature(s))")
            else:
                counts["failed"] += 1
                self.stdout.write(self.style.ERROR(f"FAILED  {label} {field.name}: {report.get('summary_th', '')}"))
        self.stdout.write(f"signed and valid: {counts['ok']}, unsigned: {counts['unsigned']}, "
                          f"failed: {counts['failed']}, missing: {counts['missing']}")
        if counts["failed"] or counts["missing"]:
            raise CommandError("ลายมือชื่อดิจิทัลไม่ผ่านการตรวจสอบหรือไฟล์หายไป")
