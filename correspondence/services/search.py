"""Keeping the search index (SearchDocument) current: one row per letter, incoming item and standalone
register line, written whenever the object is saved, and rebuilt in full by ``search_reindex``.

The text of an uploaded PDF is read with poppler's ``pdftotext`` (it honours ActualText, so the
portal's own Thai PDFs read back right), with pypdf as the fallback, and only again when the file changes.
"""
from __future__ import annotations

import logging
import shutil
import subprocess
from collections import OrderedDict

from correspondence import searchtext
from correspondence.models import (
    BookKind,
    EntryScan,
    IncomingItem,
    Letter,
    RegisterEntry,
    SearchDocument,
    SearchKind,
)

log = logging.getLogger(__name__)

MAX_PDF_TEXT = 200_000  # characters kept of one file: enough for any letter, bounded for scans of books
PDF_TIMEOUT = 60


# --- the text of a PDF ------------------------------------------------------------------------------------


def pdf_text(field_file) -> str:
    """All the text of an uploaded PDF, or "" when it cannot be read (a scan without a text layer)."""
    try:
        with field_file.open("rb") as f:
            data = f.read()
    except (OSError, ValueError):
        return ""
    text = ""
    exe = shutil.which("pdftotext")
    if exe:
        try:
            done = subprocess.run([exe, "-q", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True,
                                  timeout=PDF_TIMEOUT)
            if done.returncode == 0:
                text = done.stdout.decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            log.warning("pdftotext timed out on %s", field_file.name)
    if not text.strip():
        text = _pypdf_text(data)
    return " ".join(text.split())[:MAX_PDF_TEXT]


def _pypdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    try:
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    except Exception:  # a damaged file is still indexed by its other fields
        return ""


# --- what each kind of object puts in its document ------------------------------------------------------------


def _letter_body(content: dict) -> str:
    parts = []
    for key in ("title", "about", "recipient", "meeting"):
        value = content.get(key)
        if isinstance(value, str):
            parts.append(value)
    for key in ("body", "references", "enclosures"):
        for para in content.get(key) or []:
            parts.append(para.get("text", "") if isinstance(para, dict) else str(para))
    return " ".join(p for p in parts if p)


# Stored files are never rewritten in place (a stamped or signed PDF gets a new name), so a name read once
# keeps its text: the items of a circular all point at one PDF, read once per worker, not once per item.
_recent_pdf_texts: OrderedDict[str, str] = OrderedDict()
_RECENT_PDF_TEXTS = 32


def _pdf_text_by_name(field_file) -> str:
    name = field_file.name
    text = _recent_pdf_texts.get(name)
    if text is None:
        text = pdf_text(field_file)
        _recent_pdf_texts[name] = text
        while len(_recent_pdf_texts) > _RECENT_PDF_TEXTS:
            _recent_pdf_texts.popitem(last=False)
    else:
        _recent_pdf_texts.move_to_end(name)
    return text


def _pdf_part(doc: SearchDocument | None, field_file) -> tuple[str, str]:
    name = field_file.name if field_file else ""
    if not name:
        return "", ""
    if doc is not None and doc.pdf_name == name:
        return name, doc.body
    return name, _pdf_text_by_name(field_file)


def _item_fields(item: IncomingItem, doc: SearchDocument | None) -> dict:
    pdf_name, body = _pdf_part(doc, item.pdf)
    return dict(kind=SearchKind.ITEM, item=item, unit_id=item.unit_id, unit2_id=None, secrecy=item.secrecy,
                secret_book=False, urgency=item.urgency, at=item.received_at, title=item.subject[:1000],
                number=item.their_number[:128], sender=item.sender_text[:500], body=body, pdf_name=pdf_name,
                extra=" ".join([item.addressee, item.receipt_number, item.filed_at]))


def _letter_fields(letter: Letter, doc: SearchDocument | None) -> dict:
    content = letter.content if isinstance(letter.content, dict) else {}
    issuer = content.get("issuer") if isinstance(content.get("issuer"), dict) else {}
    return dict(kind=SearchKind.LETTER, letter=letter, unit_id=letter.owner_unit_id, unit2_id=letter.issuing_unit_id,
                secrecy=letter.secrecy, secret_book=False, urgency=letter.urgency, at=letter.created_at,
                title=letter.subject[:1000], number=letter.number[:128], sender=(issuer.get("name") or "")[:500],
                body=_letter_body(content), pdf_name="", extra="")


def entry_scan(entry: RegisterEntry):
    """The scanned letter a reservation was filled with (EntryScan), or None."""
    try:
        return entry.scan
    except EntryScan.DoesNotExist:
        return None


def _entry_fields(entry: RegisterEntry, doc: SearchDocument | None, created: bool = False) -> dict:
    book = entry.book
    notes = " ".join([entry.action_taken, entry.remarks])
    scan = None if created else entry_scan(entry)  # a scan refers to its line: a new line has none yet
    # With a scan the body is its text, as for an item (read once per file); the notes still count.
    pdf_name, body = _pdf_part(doc, scan.pdf) if scan else ("", "")
    return dict(kind=SearchKind.ENTRY, entry=entry, unit_id=book.unit_id, unit2_id=None, secrecy=entry.secrecy,
                secret_book=book.kind == BookKind.SECRET, urgency=entry.urgency, at=entry.registered_at,
                title=entry.subject[:1000] or entry.remarks[:1000], number=entry.their_number[:128],
                sender=entry.from_text[:500], body=body if pdf_name else notes, pdf_name=pdf_name,
                extra=f"{entry.to_text} {notes}" if pdf_name else entry.to_text)


def _text(fields: dict) -> str:
    number = fields["number"]
    head = " ".join([fields["title"], number, searchtext.number_key(number), fields["sender"], fields["extra"]])
    return searchtext.normalize(f"{head} {fields['body']}")


# --- writes ------------------------------------------------------------------------------------------------------


def _write(model_field: str, obj, build, created: bool = False) -> SearchDocument:
    # A document refers to its object, so a just-created object has none: no look-up. A register line is
    # written under its book's counter lock, and every query spared there is spared for the whole book.
    doc = None if created else SearchDocument.objects.filter(**{model_field: obj}).first()
    fields = build(obj, doc)
    fields["text"] = _text(fields)
    fields.pop("extra")
    if doc is None:
        doc = SearchDocument(**fields)
    else:
        for key, value in fields.items():
            setattr(doc, key, value)
    doc.save()
    return doc


def document_item_update(item: IncomingItem, created: bool = False) -> SearchDocument:
    return _write("item", item, _item_fields, created)


def document_letter_update(letter: Letter, created: bool = False) -> SearchDocument:
    return _write("letter", letter, _letter_fields, created)


def document_entry_update(entry: RegisterEntry, created: bool = False) -> SearchDocument | None:
    """Only a line that stands alone: a line of a portal letter or item is found through that.
    ``created``: the line was just inserted, so it has no document and no scan yet."""
    if entry.letter_id or entry.item_id:
        if not created:
            SearchDocument.objects.filter(entry=entry).delete()
        return None
    return _write("entry", entry, lambda line, doc: _entry_fields(line, doc, created), created)


def search_reindex(*, batch: int = 500, progress=None) -> dict[str, int]:
    """Every document written again from its object (after an upgrade, or a restore of the files)."""
    counts = {}
    jobs = (("item", IncomingItem.objects.order_by("pk"), document_item_update),
            ("letter", Letter.objects.order_by("pk"), document_letter_update),
            ("entry", RegisterEntry.objects.filter(letter__isnull=True, item__isnull=True)
             .select_related("book", "scan").order_by("pk"), document_entry_update))
    for label, qs, update in jobs:
        n = 0
        for obj in qs.iterator(chunk_size=batch):
            update(obj)
            n += 1
        counts[label] = n
        if progress:
            progress(label, n)
    # Lines that got a letter or an item since: their document goes.
    counts["removed"] = SearchDocument.objects.filter(kind=SearchKind.ENTRY).exclude(
        entry__letter__isnull=True, entry__item__isnull=True).delete()[0]
    return counts
