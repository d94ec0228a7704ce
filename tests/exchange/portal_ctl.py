"""One portal's side of the two-portal exchange tests.

Imported by the tests (``make_signed_letter``, ``pdf_bytes``) and run as a process against the other
portal's database: ``python tests/exchange/portal_ctl.py`` reads one JSON command per line on stdin and
answers one JSON line on stdout, so that portal's Django starts once for the whole test.
"""
from __future__ import annotations

import contextlib
import io
import json
import sys
import traceback
from pathlib import Path


def pdf_bytes(text: str = "") -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text or "letter"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_signed_letter(*, issuing_unit, to_agency, subject: str, by, running: int, secrecy: int = 0,
                       attachment: bytes | None = b"%PDF-1.4 enclosure"):
    """A signed letter with its PDF and one enclosure, to one agency (test data, not the workflow)."""
    import datetime as dt

    from django.core.files.base import ContentFile

    from correspondence.models import Enclosure, Letter, LetterRecipient, LetterState
    from eoffice import thai

    code = issuing_unit.letter_code()
    number = f"{code} {thai.format_unit_number(issuing_unit.unit_number)}/{thai.to_thai_digits(str(running))}"
    letter = Letter.objects.create(
        kind="external", state=LetterState.SIGNED, subject=subject, secrecy=secrecy, urgency=3,
        content={"issuer": {"name": issuing_unit.top.name}, "recipient": f"เรียน {to_agency.name}"},
        issuing_unit=issuing_unit, owner_unit=issuing_unit, created_by=by, number=number,
        issued_on=dt.date.today() - dt.timedelta(days=1),
    )
    letter.pdf.save(f"letter-{letter.pk}.pdf", ContentFile(pdf_bytes(subject)))
    if attachment is not None:
        enc = Enclosure(letter=letter, order=1, description="รายละเอียดประกอบ", quantity="๑ ชุด")
        enc.file.save(f"enclosure-{letter.pk}.pdf", ContentFile(attachment))
    recipient = LetterRecipient.objects.create(letter=letter, agency=to_agency)
    return letter, recipient


# --- commands (run inside the other portal's process) ---------------------------------------------------


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def _agency(short_or_name):
    from django.db.models import Q

    from agencies.models import Agency

    return Agency.objects.get(Q(short_name=short_or_name) | Q(name=short_or_name))


def cmd_setup(peer: dict, hosted: list[str]) -> dict:
    from django.core.management import call_command
    from django.test import override_settings

    from agencies.demo import demo_data_load
    from correspondence.exchange.selectors import agency_by_exchange_id
    from correspondence.models import ExchangePeer
    from signatures import crypto

    call_command("load_reference_data", verbosity=0)
    with override_settings(EOFFICE_DEMO_DATA=True):
        demo_data_load()
    row = ExchangePeer.objects.create(
        name=peer["name"], base_url=peer["base_url"], their_key_id=peer["their_key_id"],
        their_public_key=peer["their_public_key"], our_key_id=peer["our_key_id"],
        our_public_key=peer["our_public_key"],
        our_private_key_encrypted=crypto.encrypt(peer["our_private_key"].encode()),
    )
    row.agencies.set([agency_by_exchange_id(code) for code in hosted])
    return {"peer": row.pk}


def cmd_send(from_unit: str, to_exchange_id: str, subject: str, message_id: str, running: int, by: str) -> dict:
    from correspondence.exchange import client
    from correspondence.exchange.envelope import envelope_build, envelope_documents
    from correspondence.exchange.selectors import agency_by_exchange_id, peer_for_agency

    to_agency = agency_by_exchange_id(to_exchange_id)
    letter, recipient = make_signed_letter(issuing_unit=_agency(from_unit), to_agency=to_agency, subject=subject,
                                           by=_user(by), running=running)
    peer = peer_for_agency(to_agency)
    pdf, attachments = envelope_documents(letter)
    ack = client.send_envelope(peer, envelope_build(letter, recipient), pdf, attachments, message_id)
    return {"letter": letter.pk, "recipient": recipient.pk, "ack": ack}


def cmd_items() -> list[dict]:
    from correspondence.models import IncomingItem

    rows = IncomingItem.objects.filter(channel="peer").select_related("unit").order_by("pk")
    return [{"id": i.pk, "message_id": i.message_id.split(":", 1)[-1], "state": i.state,
             "receipt_number": i.receipt_number, "subject": i.subject, "their_number": i.their_number,
             "unit": i.unit.short_name or i.unit.name, "urgency": i.urgency,
             "attachments": [a.name for a in i.received_attachments.all()], "has_pdf": bool(i.pdf)}
            for i in rows]


def _item(message_id):
    from correspondence.models import ExchangeMessage

    return ExchangeMessage.objects.get(direction="in", message_id=message_id).item


def cmd_register(message_id: str, by: str) -> dict:
    from correspondence.services import receiving

    item, _ = receiving.incoming_register(_item(message_id), by=_user(by))
    return {"receipt_number": item.receipt_number}


def cmd_reject(message_id: str, by: str, reason: str) -> dict:
    from correspondence.services import receiving

    item = receiving.incoming_reject(_item(message_id), by=_user(by), reason=reason)
    return {"state": item.state}


def cmd_recipient(id: int) -> dict:
    from correspondence.models import LetterRecipient

    rec = LetterRecipient.objects.get(pk=id)
    return {"state": rec.state, "receipt_number": rec.receipt_number, "reason": rec.state_reason}


def cmd_log() -> list[dict]:
    from correspondence.models import ExchangeLog

    return [{"direction": r.direction, "kind": r.kind, "outcome": r.outcome, "code": r.code,
             "status": r.status_code, "message_id": r.message_id, "key_id": r.key_id}
            for r in ExchangeLog.objects.order_by("pk")]


def cmd_acks() -> list[dict]:
    from correspondence.models import ExchangeAck

    return [{"status": a.status, "sent": a.sent_at is not None, "attempts": a.attempts, "error": a.last_error}
            for a in ExchangeAck.objects.order_by("pk")]


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    import django

    django.setup()
    from django.db import close_old_connections

    commands = {name[4:]: fn for name, fn in globals().items() if name.startswith("cmd_")}
    answers = sys.stdout
    print(json.dumps({"ready": True}), file=answers, flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        close_old_connections()
        try:
            # Whatever the commands print goes to stderr: stdout carries only the answers.
            with contextlib.redirect_stdout(sys.stderr):
                result = {"ok": commands[request.pop("cmd")](**request)}
        except Exception as exc:  # noqa: BLE001 - reported to the test, which fails with it
            result = {"error": exc.__class__.__name__, "message": str(exc), "trace": traceback.format_exc()}
        print(json.dumps(result, ensure_ascii=False, default=str), file=answers, flush=True)


if __name__ == "__main__":
    main()
