"""Files of a letter: the issued letter's PDF, uploaded enclosures, and the drafting preview.

Rendering and signing stay outside the numbering transaction (design notes): the PDF is made after
``letter_issue`` committed, and only for an issued letter without one.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from agencies.models import Agency
from correspondence.models import Enclosure, Letter, LetterState
from correspondence.services import letters, uploads


def _garuda(unit: Agency):
    f = unit.garuda_file()
    if not f:
        return None
    with f.open("rb") as fh:
        return fh.read()


def letter_pdf_render(letter: Letter, *, by) -> Letter:
    """The issued letter as PDF/A-3u (spec attached), stored on the letter for signing."""
    from correspondence.rendering.pdf import render_letter_pdf

    letter = Letter.objects.select_related("issuing_unit").get(pk=letter.pk)
    if letter.state != LetterState.ISSUED:
        raise ValidationError({"state": "สร้างแฟ้มหนังสือได้เฉพาะหนังสือที่ออกเลขแล้ว"})
    if letter.pdf:
        return letter
    pdf = render_letter_pdf(letter.content, _garuda(letter.issuing_unit))
    with transaction.atomic():
        locked = Letter.objects.select_for_update().get(pk=letter.pk)
        if locked.pdf:  # rendered meanwhile by another request
            return locked
        locked._history_user = by
        locked.pdf.save(f"{locked.pk}-{locked.issued_on:%Y%m%d}.pdf", ContentFile(pdf), save=False)
        locked.save(update_fields=["pdf"])
    return locked


def preview_spec(spec: dict, *, owner_unit: Agency, signer=None) -> dict:
    """The draft's spec with what the portal fills in on saving: issuer, owner unit, contact, signer."""
    from correspondence import permissions

    probe = Letter(kind=spec.get("kind") or "external", owner_unit=owner_unit,
                   issuing_unit=permissions.registry_unit(owner_unit), signer=signer)
    return letters._fill_defaults(probe, spec)


def preview_pdf(spec: dict, unit: Agency | None = None) -> bytes:
    """A fast draft preview (one layout pass, no PDF/A): number and date shown as placeholders."""
    from correspondence.rendering.pdf import render_preview

    spec = dict(spec)
    spec.setdefault("number", "(ร่าง)")
    spec.setdefault("date", None)
    if not spec.get("date"):
        spec.pop("date", None)
    return render_preview(spec, _garuda(unit) if unit else None, fmt="pdf")


@transaction.atomic
def enclosure_attach(letter: Letter, *, by, description: str, quantity: str = "", file=None) -> Enclosure:
    """สิ่งที่ส่งมาด้วย with its file, added to a draft by its drafter (the text follows in the spec)."""
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    letters._require_draft_owner(letter, by, "แนบสิ่งที่ส่งมาด้วย")
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": "กรุณาระบุรายการสิ่งที่ส่งมาด้วย"})
    if file is not None:
        # The same checks as every upload: a PDF by its content (no script, not encrypted, not truncated).
        try:
            uploads.pdf_check(file)
        except ValidationError as e:
            raise ValidationError({"file": [m for msgs in e.message_dict.values() for m in msgs]}) from None
    quantity = (quantity or "").strip()
    order = letter.enclosures.count()
    enclosure = Enclosure(letter=letter, order=order, description=description[:500], quantity=quantity[:64])
    enclosure._history_user = by
    if file is not None:
        # A generated name: what the uploader called the file never decides where it is stored.
        enclosure.file.save(uploads.stored_name(), file, save=False)
    enclosure.save()
    _enclosures_to_content(letter, by)
    return enclosure


def _enclosures_to_content(letter: Letter, by) -> None:
    """The spec's สิ่งที่ส่งมาด้วย lines follow the attached enclosures, in their order."""
    content = dict(letter.content)
    content["enclosures"] = letters.enclosure_lines(letter)
    letter.content = content
    letter._history_user = by
    letter.save(update_fields=["content"])


@transaction.atomic
def enclosure_remove(enclosure: Enclosure, *, by) -> None:
    letter = Letter.objects.select_for_update().get(pk=enclosure.letter_id)
    letters._require_draft_owner(letter, by, "ลบสิ่งที่ส่งมาด้วย")
    enclosure.delete()
    _enclosures_to_content(letter, by)


__all__ = ["enclosure_attach", "enclosure_remove", "letter_pdf_render", "preview_pdf", "preview_spec"]
