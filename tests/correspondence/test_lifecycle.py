"""Acceptance 4: the life of the กระทรวงการต่างประเทศ reference letter, from draft to filed at the
Secretariat of the Cabinet, through the services alone."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from correspondence.models import (
    BookKind,
    Channel,
    EntryStatus,
    IncomingItem,
    ItemState,
    LetterState,
    OutboxState,
    RecipientState,
    RegisterEntry,
    ReviewDecision,
)
from correspondence.services import documents, delivery, letters, receiving
from correspondence.signals import item_registered, letter_issued
from eoffice import thai

pytestmark = pytest.mark.django_db


@pytest.fixture
def signals_seen():
    seen = []

    def on_item(sender, item, **kw):
        seen.append(("item", item.pk, item.receipt_number))

    def on_letter(sender, letter, **kw):
        seen.append(("letter", letter.pk, letter.number))

    item_registered.connect(on_item, weak=False)
    letter_issued.connect(on_letter, weak=False)
    yield seen
    item_registered.disconnect(on_item)
    letter_issued.disconnect(on_letter)


def test_reference_letter_from_draft_to_filed(users, units, mfa_spec, django_capture_on_commit_callbacks,
                                              signals_seen):
    u = users
    soc = units["สำนักเลขาธิการคณะรัฐมนตรี"]
    division = units["ภค."]
    # Drafted by the section, which keeps no register: ศทส. (กต ๐๒๐๓) numbers for it.
    letter = letters.letter_create(
        by=u["mfa.drafter"], content=mfa_spec, signer=u["mfa.signer"].official,
        recipients=[{"agency": soc.pk}], reviewers=[u["mfa.reviewer"].official],
    )
    assert letter.state == LetterState.DRAFT and letter.issuing_unit.short_name == "ศทส."
    assert letter.content["signer"]["name"] == "นายดอน ปรมัตถ์วินัย"
    assert letter.urgency == 3 and letter.subject.startswith("การดำเนินงานตามมติคณะรัฐมนตรี")

    # Reviewed: returned once with a comment, corrected, approved.
    letters.letter_submit(letter, by=u["mfa.drafter"])
    with pytest.raises(ValidationError):
        letters.letter_review(letter, by=u["mfa.reviewer"], approve=False, comment="")
    letters.letter_review(letter, by=u["mfa.reviewer"], approve=False, comment="แก้คำลงท้าย")
    letter.refresh_from_db()
    assert letter.state == LetterState.DRAFT
    letters.letter_update(letter, by=u["mfa.drafter"], content={**letter.content, "closing": "ขอแสดงความนับถือ"})
    letters.letter_submit(letter, by=u["mfa.drafter"])
    with pytest.raises(PermissionDenied):
        letters.letter_review(letter, by=u["mfa.signer"], approve=True)
    letters.letter_review(letter, by=u["mfa.reviewer"], approve=True)
    letter.refresh_from_db()
    assert letter.state == LetterState.APPROVED
    assert [s.decision for s in letter.review_steps.order_by("round")] == [ReviewDecision.RETURNED,
                                                                         ReviewDecision.APPROVED]

    # Issued by the registry of ศทส.: กต ๐๒๐๓/<n>, line in the outgoing book.
    with pytest.raises(PermissionDenied):
        letters.letter_issue(letter, by=u["mfa.drafter"])
    with django_capture_on_commit_callbacks(execute=True):
        letters.letter_issue(letter, by=u["mfa.clerk"])
    letter.refresh_from_db()
    entry = RegisterEntry.objects.get(letter=letter)
    assert entry.book.kind == BookKind.OUTGOING and entry.book.unit.short_name == "ศทส."
    assert letter.number == f"กต ๐๒๐๓/{thai.to_thai_digits(str(entry.number))}" == entry.their_number
    assert letter.content["number"] == letter.number and letter.content["date"] == letter.issued_on.isoformat()
    assert ("letter", letter.pk, letter.number) in signals_seen

    documents.letter_pdf_render(letter, by=u["mfa.clerk"])

    letters.letter_sign(letter, by=u["mfa.signer"])
    # Sent: an outbox row in the same transaction; the delivery task (run here in-process) delivers it.
    (row,) = letters.letter_send(letter, by=u["mfa.clerk"])
    letter.refresh_from_db()
    recipient = letter.recipients.get()
    assert letter.state == LetterState.SENT and recipient.state == RecipientState.PENDING
    assert delivery.outbox_deliver(row.pk) == OutboxState.DELIVERED
    recipient.refresh_from_db()
    assert recipient.state == RecipientState.DELIVERED
    (item,) = IncomingItem.objects.filter(recipient=recipient)
    assert (item.unit, item.channel, item.state) == (soc, Channel.PORTAL, ItemState.RECEIVED)
    assert item.their_number == letter.number and item.their_number_key.startswith("กต0203/")

    # Registered at the Secretariat: receipt number, date, time; the sender sees it registered.
    with django_capture_on_commit_callbacks(execute=True):
        item, warning = receiving.incoming_register(item, by=u["soc.clerk"])
    assert warning is None and item.receipt_number == "1" and item.registered_at
    recipient.refresh_from_db()
    assert (recipient.state, recipient.receipt_number) == (RecipientState.REGISTERED, "1")
    assert ("item", item.pk, "1") in signals_seen
    assert item.register_entries.get().book.kind == BookKind.INCOMING

    # Routed to ภค., which registers it again in its own book.
    (routing,) = receiving.item_route(item, by=u["soc.clerk"], to_units=[division], note="เพื่อดำเนินการ")
    copy = routing.copy
    assert copy.unit == division and copy.parent == item and copy.channel == Channel.ROUTED
    copy, _ = receiving.incoming_register(copy, by=u["soc.div.clerk"])
    assert copy.receipt_number == "1"
    assert copy.register_entries.get().book.unit == division
    recipient.refresh_from_db()
    assert recipient.receipt_number == "1"  # still the Secretariat's receipt number

    # Minuted จัดเข้าวาระ by the executive above, acknowledged by the assignee, closed.
    with pytest.raises(PermissionDenied):
        receiving.minute_write(copy, by=u["soc.div.clerk"], action="จัดเข้าวาระ")
    minute = receiving.minute_write(copy, by=u["soc.exec"], action="จัดเข้าวาระการประชุมคณะรัฐมนตรี",
                                    assignee=u["soc.officer"].official)
    with pytest.raises(PermissionDenied):
        receiving.minute_acknowledge(minute, by=u["soc.exec"])
    receiving.minute_acknowledge(minute, by=u["soc.officer"])
    recipient.refresh_from_db()
    assert recipient.state == RecipientState.ACKNOWLEDGED
    closed = receiving.item_close(copy, by=u["soc.div.clerk"], filed_at="แฟ้มวาระการประชุม ปี ๒๕๖๙")
    assert closed.state == ItemState.CLOSED and closed.closed_at
    assert IncomingItem.objects.count() == 2


def test_cancelling_an_issued_letter_voids_its_number_for_good(users, units, mfa_spec):
    u = users
    soc = units["สำนักเลขาธิการคณะรัฐมนตรี"]

    def approved():
        letter = letters.letter_create(by=u["mfa.drafter"], content=mfa_spec, signer=u["mfa.signer"].official,
                                       recipients=[{"agency": soc.pk}], reviewers=[u["mfa.reviewer"].official])
        letters.letter_submit(letter, by=u["mfa.drafter"])
        letters.letter_review(letter, by=u["mfa.reviewer"], approve=True)
        return letter

    first = letters.letter_issue(approved(), by=u["mfa.clerk"])
    with pytest.raises(ValidationError):
        letters.letter_cancel(first, by=u["mfa.clerk"], reason=" ")
    letters.letter_cancel(first, by=u["mfa.clerk"], reason="ออกเลขซ้ำเรื่องเดิม")
    second = letters.letter_issue(approved(), by=u["mfa.clerk"])
    first.refresh_from_db()
    void = RegisterEntry.objects.get(letter=first)
    assert first.state == LetterState.CANCELLED and void.status == EntryStatus.VOID
    assert void.void_reason == "ออกเลขซ้ำเรื่องเดิม"
    assert RegisterEntry.objects.get(letter=second).number == void.number + 1


def test_top_secret_letters_are_refused_by_every_electronic_channel(users, units, mfa_spec):
    u = users
    soc = units["สำนักเลขาธิการคณะรัฐมนตรี"]
    spec = {**mfa_spec, "secrecy": "top_secret"}
    with pytest.raises(ValidationError) as exc:
        letters.letter_create(by=u["mfa.drafter"], content=spec)
    assert "secrecy" in exc.value.message_dict
    drafter = u["mfa.drafter"].official
    drafter.clearance = 3
    drafter.save()
    letter = letters.letter_create(by=u["mfa.drafter"], content=spec, signer=u["mfa.signer"].official,
                                   recipients=[{"agency": soc.pk}], reviewers=[u["mfa.reviewer"].official])
    # Straight to the send step: the refusal does not depend on where in its life the letter is.
    with pytest.raises(ValidationError) as exc:
        letters.letter_send(letter, by=u["mfa.clerk"])
    assert exc.value.message_dict["secrecy"] == [letters.TOP_SECRET_REFUSAL]
    assert "ลับที่สุด" in letters.TOP_SECRET_REFUSAL
    with pytest.raises(ValidationError) as exc:
        receiving.incoming_receive(unit=soc, by=u["soc.secret"], channel=Channel.EMAIL, subject="ก",
                                   sender_text="กระทรวงกลาโหม", secrecy=3)
    assert exc.value.message_dict["secrecy"] == [letters.TOP_SECRET_REFUSAL]
    assert not IncomingItem.objects.exists()


def test_linked_reference_is_written_out_and_must_be_visible(users, units, mfa_spec):
    u = users
    soc = units["สำนักเลขาธิการคณะรัฐมนตรี"]
    import datetime as dt

    item = receiving.incoming_receive(unit=units["ศทส."], by=u["mfa.clerk"], channel=Channel.SCAN,
                                      subject="ขอความเห็น", sender_text="สำนักเลขาธิการคณะรัฐมนตรี",
                                      their_number="นร ๐๕๐๖/ว(ล) ๒๓๘๖๐", dated=dt.date(2020, 8, 7), urgency=3)
    item, _ = receiving.incoming_register(item, by=u["mfa.clerk"])
    entry = item.register_entries.get()
    # Lines of ศทส.'s book are visible in ศทส. and above, not in the section below it.
    with pytest.raises(ValidationError):
        letters.letter_create(by=u["mfa.drafter"], content=mfa_spec, references=[{"entry": entry.pk}])
    drafter = u["mfa.drafter"].official
    drafter.unit = units["ศทส."]
    drafter.save()
    letter = letters.letter_create(by=u["mfa.drafter"], content=mfa_spec, references=[{"entry": entry.pk}],
                                   signer=u["mfa.signer"].official)
    written = "หนังสือสำนักเลขาธิการคณะรัฐมนตรี ด่วนที่สุด ที่ นร ๐๕๐๖/ว(ล) ๒๓๘๖๐ ลงวันที่ ๗ สิงหาคม ๒๕๖๓"
    assert letter.content["references"] == [written]
    # Editing other parts keeps the link, not a copy of its text.
    letters.letter_update(letter, by=u["mfa.drafter"], content={**letter.content, "references": ["แก้เอง"]})
    letter.refresh_from_db()
    assert letter.content["references"] == [written] and letter.references.get().entry == entry
    # A line of the Secretariat's own book is not visible to the MFA drafter: same error as a missing one.
    other = receiving.incoming_register(
        receiving.incoming_receive(unit=soc, by=u["soc.clerk"], channel=Channel.SCAN, subject="ข",
                                   sender_text="กระทรวงมหาดไทย"), by=u["soc.clerk"])[0].register_entries.get()
    for bad in (other.pk, 999999):
        with pytest.raises(ValidationError) as exc:
            letters.letter_create(by=u["mfa.drafter"], content=mfa_spec, references=[{"entry": bad}])
        assert "ไม่พบหนังสือที่อ้างถึง" in exc.value.message_dict["references"][0]


def test_a_drafter_without_registers_cites_the_lines_kept_for_their_section(users, units, mfa_spec):
    """ส่วนนโยบายฯ keeps no registers: its drafter cites the line ศทส. wrote for the section's own letter and
    the line of an item routed to the section, and still nothing else of ศทส.'s book."""
    from correspondence import permissions
    from correspondence.selectors_portal import reference_choices

    u = users
    mine = letters.letter_create(by=u["mfa.drafter"], content=mfa_spec, signer=u["mfa.signer"].official,
                                 recipients=[{"agency": units["สลค."].pk}], reviewers=[u["mfa.reviewer"].official])
    letters.letter_submit(mine, by=u["mfa.drafter"])
    letters.letter_review(mine, by=u["mfa.reviewer"], approve=True)
    mine = letters.letter_issue(mine, by=u["mfa.clerk"])
    own_line = RegisterEntry.objects.get(letter=mine)
    item = receiving.incoming_receive(unit=units["ศทส."], by=u["mfa.clerk"], channel=Channel.SCAN,
                                      subject="ขอให้ส่วนนโยบายพิจารณา", sender_text="สำนักงาน ก.พ.ร.")
    item, _ = receiving.incoming_register(item, by=u["mfa.clerk"])
    routed_line = item.register_entries.get()
    other = receiving.incoming_register(receiving.incoming_receive(
        unit=units["ศทส."], by=u["mfa.clerk"], channel=Channel.SCAN, subject="เรื่องของศูนย์เอง",
        sender_text="กรมบัญชีกลาง"), by=u["mfa.clerk"])[0].register_entries.get()
    from agencies.models import Agency

    section = Agency.objects.get(name="ส่วนนโยบายและยุทธศาสตร์")
    receiving.item_route(item, by=u["mfa.clerk"], to_units=[section])

    drafter = u["mfa.drafter"]
    assert not permissions.visible_entries(drafter).exists()  # the register itself stays ศทส.'s
    choices = [e.pk for e in reference_choices(drafter)]
    assert set(choices) == {own_line.pk, routed_line.pk} and len(choices) == 2
    assert choices == sorted(choices, reverse=True)  # newest first
    cited = letters.letter_create(by=drafter, content=mfa_spec, references=[{"entry": routed_line.pk},
                                                                           {"entry": own_line.pk}])
    assert cited.content["references"][0].startswith("หนังสือสำนักงาน ก.พ.ร. ที่")
    assert cited.content["references"][1].startswith("หนังสือกระทรวงการต่างประเทศ ด่วนที่สุด ที่ ")
    assert f"ที่ {mine.number} ลงวันที่" in cited.content["references"][1]
    with pytest.raises(ValidationError) as exc:
        letters.letter_create(by=drafter, content=mfa_spec, references=[{"entry": other.pk}])
    assert "ไม่พบหนังสือที่อ้างถึง" in exc.value.message_dict["references"][0]


def test_a_classified_draft_is_granted_to_its_reviewers_and_signer_on_submit(users, mfa_spec):
    from correspondence import permissions

    u = users
    u["mfa.drafter"].official.clearance = 1
    u["mfa.drafter"].official.save()
    letter = letters.letter_create(by=u["mfa.drafter"], content={**mfa_spec, "secrecy": "confidential"},
                                   signer=u["mfa.signer"].official, reviewers=[u["mfa.reviewer"].official])
    assert not permissions.can_see_letter(u["mfa.reviewer"], letter)
    letters.letter_submit(letter, by=u["mfa.drafter"])
    assert permissions.can_see_letter(u["mfa.reviewer"], letter) and permissions.can_see_letter(u["mfa.signer"], letter)
    assert not permissions.can_see_letter(u["mfa.clerk"], letter)  # same unit, no grant


def test_the_newest_items_of_several_units_are_merged_per_unit_as_one_query_would_give_them(users, units):
    """Citing reads each unit's newest items on its own index and merges them (PostgreSQL): the merge must
    give exactly what the one query over all the units gives, window cut and order included."""
    from correspondence import permissions
    from correspondence.models import IncomingItem

    desks = [(units["ศทส."], users["mfa.clerk"]), (units["สลค."], users["soc.clerk"])]
    unit_ids = [unit.pk for unit, _ in desks]
    for n in range(12):
        unit, clerk = (units["สลค."], users["soc.secret"]) if n == 10 else desks[n % 3 == 0]
        receiving.incoming_receive(unit=unit, by=clerk,
                                   channel=Channel.SCAN, subject=f"เรื่อง {n}", sender_text="กรมบัญชีกลาง",
                                   secrecy=1 if n == 10 else 0)
    plain = IncomingItem.objects.filter(secrecy=0)
    for window in (3, 7, 50):
        merged = list(permissions._newest_per_unit(plain, set(unit_ids), window))
        expected = list(plain.filter(unit__in=unit_ids).order_by("-pk").values_list("pk", "parent_id")[:window])
        assert merged == expected and len(merged) == min(window, 11)


def test_reference_choices_leave_classified_lines_out_until_the_second_factor(users, units):
    from correspondence.selectors_portal import reference_choices

    registrar = users["soc.secret"]
    secret = receiving.incoming_register(receiving.incoming_receive(
        unit=units["สลค."], by=registrar, channel=Channel.SCAN, subject="แผนลับ", sender_text="กห",
        secrecy=1), by=registrar)[0].register_entries.get()
    assert secret.pk in [e.pk for e in reference_choices(registrar)]
    assert secret.pk not in [e.pk for e in reference_choices(registrar, verified=False)]


def test_a_grant_on_a_classified_item_does_not_make_its_secret_register_line_citable(users, units):
    """Only the secret registrar sees the secret register: an official granted the item reads the item, but
    neither lists nor cites its line there."""
    from correspondence import permissions
    from correspondence.selectors_portal import reference_choices
    from correspondence.services import grants

    registrar, executive = users["soc.secret"], users["soc.exec"]
    item, _ = receiving.incoming_register(receiving.incoming_receive(
        unit=units["สลค."], by=registrar, channel=Channel.SCAN, subject="แผนลับ", sender_text="กห",
        secrecy=1), by=registrar)
    line = item.register_entries.get()
    grants.grant_view(item, executive)
    assert permissions.can_see_item(executive, item)
    assert not permissions.entry_citable(executive, line)
    assert line.pk not in [e.pk for e in reference_choices(executive)]
    assert permissions.entry_citable(registrar, line)


def test_citing_a_classified_line_through_the_api_needs_the_second_factor(users, units, mfa_spec, second_factor):
    """The secret registrar may cite a line of the secret register, as any reader of it, only once the
    second factor is given: the line's number and sender are written into the letter."""
    from rest_framework.test import APIClient

    from agencies.models import Role, RoleAssignment

    registrar = users["soc.secret"]
    RoleAssignment.objects.create(official=registrar.official, role=Role.DRAFTER, unit=registrar.official.unit)
    line = receiving.incoming_register(receiving.incoming_receive(
        unit=units["สลค."], by=registrar, channel=Channel.SCAN, subject="แผนลับ", sender_text="กห",
        secrecy=1), by=registrar)[0].register_entries.get()
    client = APIClient()
    client.force_authenticate(registrar)
    body = {"content": mfa_spec, "references": [{"entry": line.pk}]}
    r = client.post("/api/v1/letters/", body, format="json")
    assert r.status_code == 403 and "ยืนยันตัวตนขั้นที่สอง" in r.json()["detail"]
    # Cited inside the content instead: the same question.
    inside = client.post("/api/v1/letters/", {"content": {**mfa_spec, "references": [{"entry": line.pk}]}},
                         format="json")
    assert inside.status_code == 403 and "ยืนยันตัวตนขั้นที่สอง" in inside.json()["detail"]
    second_factor(client, registrar)
    r = client.post("/api/v1/letters/", body, format="json")
    assert r.status_code == 201, r.content.decode()[:300]
    assert r.json()["content"]["references"] == ["หนังสือกห ที่ -"]  # (no number or date on the scan)


def test_a_draft_citing_a_classified_line_opens_for_editing_only_after_the_second_factor(client, users, units, mfa_spec,
                                                                                        second_factor):
    from django.urls import reverse

    from agencies.models import Role, RoleAssignment

    registrar = users["soc.secret"]
    RoleAssignment.objects.create(official=registrar.official, role=Role.DRAFTER, unit=registrar.official.unit)
    line = receiving.incoming_register(receiving.incoming_receive(
        unit=units["สลค."], by=registrar, channel=Channel.SCAN, subject="แผนลับ", sender_text="กห",
        secrecy=1), by=registrar)[0].register_entries.get()
    draft = letters.letter_create(by=registrar, content=mfa_spec, references=[{"entry": line.pk}])
    assert draft.secrecy == 0  # the letter itself is not classified: the cited line is
    client.force_login(registrar)
    url = reverse("portal:letter-edit", args=[draft.pk])
    r = client.get(url)
    assert r.status_code == 302 and "/account/two-factor" in r["Location"]
    second_factor(client, registrar)
    page = client.get(url)
    assert page.status_code == 200 and f'value="{line.pk}"' in page.content.decode()


def test_the_review_chain_tells_each_reviewer_and_the_drafter(users, mfa_spec, django_capture_on_commit_callbacks):
    from agencies.models import Role, RoleAssignment
    from correspondence.models import Notification, NotificationKind

    u = users
    drafter, first, second = u["mfa.drafter"], u["mfa.reviewer"], u["soc.exec"]
    RoleAssignment.objects.create(official=second.official, role=Role.REVIEWER, unit=second.official.unit)
    letter = letters.letter_create(by=drafter, content=mfa_spec, signer=u["mfa.signer"].official,
                                   reviewers=[first.official, second.official])

    def told(user):
        return list(Notification.objects.filter(user=user, kind=NotificationKind.REVIEW, object_id=letter.pk)
                    .order_by("pk").values_list("text", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        letters.letter_submit(letter, by=drafter)
    assert len(told(first)) == 1 and told(first)[0].startswith("ร่างหนังสือรอท่านตรวจทาน เรื่อง การดำเนินงาน")
    assert told(second) == [] and told(drafter) == []

    with django_capture_on_commit_callbacks(execute=True):
        letters.letter_review(letter, by=first, approve=True)
    assert len(told(second)) == 1 and told(drafter) == []  # the next in the chain, not the drafter yet

    # A refused return (no comment) rolls back and tells no one.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        letters.letter_review(letter, by=second, approve=False, comment="")
    assert told(drafter) == []
    with django_capture_on_commit_callbacks(execute=True):
        letters.letter_review(letter, by=second, approve=False, comment="แก้ย่อหน้าที่สอง")
    (returned,) = told(drafter)
    assert "ส่งคืนแก้ไขโดย นายประสิทธิ์ สั่งการ: แก้ย่อหน้าที่สอง" in returned

    # Resubmitted: the same chain again, from its first reviewer.
    with django_capture_on_commit_callbacks(execute=True):
        letters.letter_submit(letter, by=drafter)
        letters.letter_review(letter, by=first, approve=True)
        letters.letter_review(letter, by=second, approve=True)
    assert len(told(first)) == 2 and len(told(second)) == 2
    assert told(drafter)[-1].endswith("ผ่านการตรวจทานแล้ว (เห็นชอบโดย นายประสิทธิ์ สั่งการ) รอออกเลข")
    letter.refresh_from_db()
    assert letter.state == LetterState.APPROVED
    # The issuing unit's registry clerk, who numbers it, is told once, on the final approval only.
    (clerk_told,) = told(u["mfa.clerk"])
    assert clerk_told.startswith("หนังสือเรื่อง การดำเนินงาน") and clerk_told.endswith("ผ่านการตรวจทานแล้ว รอออกเลขและส่ง")
