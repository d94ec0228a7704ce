"""A refused step says why in the letter's own terms: already in review, already reviewed, not yet your
turn, already numbered, signed, sent or cancelled — not the rule of some other state."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from agencies.models import Role, RoleAssignment
from correspondence.models import Letter, LetterState, RegisterEntry
from correspondence.services import documents, letters

pytestmark = pytest.mark.django_db


def _refusal(call) -> dict:
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value.message_dict


def _denial(call) -> str:
    with pytest.raises(PermissionDenied) as denied:
        call()
    return str(denied.value)


@pytest.fixture
def second_reviewer(users):
    official = users["soc.exec"].official
    RoleAssignment.objects.create(official=official, role=Role.REVIEWER, unit=official.unit)
    return users["soc.exec"]


def test_submitting_or_editing_a_draft_in_review_says_it_is_in_review(users, mfa_spec):
    u = users
    letter = letters.letter_create(by=u["mfa.drafter"], content=mfa_spec, reviewers=[u["mfa.reviewer"].official])
    letters.letter_submit(letter, by=u["mfa.drafter"])
    in_review = "หนังสือนี้ส่งตรวจทานแล้ว อยู่ระหว่างตรวจทาน"
    assert _refusal(lambda: letters.letter_submit(letter, by=u["mfa.drafter"])) == {
        "state": [f"{in_review} จึงส่งตรวจทานไม่ได้"]}
    assert _refusal(lambda: letters.letter_update(letter, by=u["mfa.drafter"], content=mfa_spec)) == {
        "state": [f"{in_review} จึงแก้ไขไม่ได้"]}
    assert _refusal(lambda: letters.letter_delete(letter, by=u["mfa.drafter"])) == {"state": [f"{in_review} จึงลบไม่ได้"]}
    assert _refusal(lambda: documents.enclosure_attach(letter, by=u["mfa.drafter"], description="แผนที่")) == {
        "state": [f"{in_review} จึงแนบสิ่งที่ส่งมาด้วยไม่ได้"]}
    # The API gives the same reason, structured.
    client = APIClient()
    client.force_authenticate(u["mfa.drafter"])
    r = client.post(f"/api/v1/letters/{letter.pk}/submit/")
    assert r.status_code == 400 and r.json() == {"state": [f"{in_review} จึงส่งตรวจทานไม่ได้"]}


def test_reviewers_hear_whether_they_already_reviewed_wait_their_turn_or_are_not_in_the_chain(
        users, mfa_spec, second_reviewer):
    u = users
    first = u["mfa.reviewer"]
    letter = letters.letter_create(by=u["mfa.drafter"], content=mfa_spec,
                                   reviewers=[first.official, second_reviewer.official])
    assert _refusal(lambda: letters.letter_review(letter, by=first, approve=True)) == {
        "state": ["หนังสือนี้ยังเป็นร่าง (ยังไม่ได้ส่งตรวจทาน หรือถูกส่งคืนผู้ร่างแก้ไข) จึงตรวจทานไม่ได้"]}
    letters.letter_submit(letter, by=u["mfa.drafter"])
    assert _denial(lambda: letters.letter_review(letter, by=second_reviewer, approve=True)) == (
        "ยังไม่ถึงลำดับการตรวจทานของท่าน ขณะนี้รอ นายสมชาย ตรวจทาน ตรวจทานก่อน")
    assert _denial(lambda: letters.letter_review(letter, by=u["mfa.signer"], approve=True)) == (
        "ท่านไม่ได้อยู่ในลำดับผู้ตรวจทานของหนังสือนี้")
    letters.letter_review(letter, by=first, approve=True)
    # A second click of the first reviewer: already done, now with the next one.
    assert _refusal(lambda: letters.letter_review(letter, by=first, approve=True)) == {
        "state": ["ท่านตรวจทานหนังสือนี้แล้ว (เห็นชอบ) ขณะนี้รอ นายประสิทธิ์ สั่งการ ตรวจทาน"]}
    letters.letter_review(letter, by=second_reviewer, approve=True)
    assert _refusal(lambda: letters.letter_review(letter, by=second_reviewer, approve=True)) == {
        "state": ["หนังสือนี้ผ่านการตรวจทานแล้ว รอออกเลข จึงตรวจทานอีกไม่ได้"]}
    assert _refusal(lambda: letters.letter_submit(letter, by=u["mfa.drafter"])) == {
        "state": ["หนังสือนี้ผ่านการตรวจทานแล้ว รอออกเลข จึงส่งตรวจทานไม่ได้"]}


def test_numbering_signing_sending_and_cancelling_twice_say_it_was_done(users, units, mfa_spec):
    u = users
    letter = letters.letter_create(by=u["mfa.drafter"], content=mfa_spec, signer=u["mfa.signer"].official,
                                   reviewers=[u["mfa.reviewer"].official], recipients=[{"agency": units["สลค."].pk}])
    assert _refusal(lambda: letters.letter_issue(letter, by=u["mfa.clerk"])) == {
        "state": ["หนังสือนี้ยังเป็นร่าง (ยังไม่ได้ส่งตรวจทาน หรือถูกส่งคืนผู้ร่างแก้ไข) จึงออกเลขไม่ได้"]}
    letters.letter_submit(letter, by=u["mfa.drafter"])
    letters.letter_review(letter, by=u["mfa.reviewer"], approve=True)
    letter = documents.letter_pdf_render(letters.letter_issue(letter, by=u["mfa.clerk"]), by=u["mfa.clerk"])
    lines = RegisterEntry.objects.count()
    assert _refusal(lambda: letters.letter_issue(letter, by=u["mfa.clerk"])) == {
        "state": [f"หนังสือนี้ออกเลขแล้ว (ที่ {letter.number}) จึงออกเลขอีกไม่ได้"]}
    assert RegisterEntry.objects.count() == lines  # no number burnt by the second click
    letters.letter_sign(letter, by=u["mfa.signer"])
    assert _refusal(lambda: letters.letter_sign(letter, by=u["mfa.signer"])) == {
        "state": [f"หนังสือนี้ลงนามแล้ว (ที่ {letter.number}) จึงลงนามอีกไม่ได้"]}
    letters.letter_send(letter, by=u["mfa.clerk"])
    assert _refusal(lambda: letters.letter_send(letter, by=u["mfa.clerk"])) == {
        "state": [f"หนังสือนี้ส่งแล้ว (ที่ {letter.number}) จึงส่งอีกไม่ได้"]}
    # Sent: the state is the reason, whether or not a reason for cancelling was typed.
    assert _refusal(lambda: letters.letter_cancel(letter, by=u["mfa.clerk"], reason="")) == {
        "state": [f"หนังสือนี้ส่งแล้ว (ที่ {letter.number}) จึงยกเลิกไม่ได้"]}


def test_cancelling_twice_and_signing_a_kind_without_a_signature(users, units):
    u = users
    draft = letters.letter_create(by=u["mfa.drafter"], content={"kind": "memo", "subject": "ทดสอบ",
                                                                  "salutation": "เรียน", "recipient": "ผู้อำนวยการ",
                                                                  "body": ["ข้อความ"]},
                                  signer=u["mfa.signer"].official)
    letters.letter_cancel(draft, by=u["mfa.drafter"], reason="ซ้ำกับฉบับอื่น")
    assert _refusal(lambda: letters.letter_cancel(draft, by=u["mfa.drafter"], reason="")) == {
        "state": ["หนังสือนี้ยกเลิกแล้ว จึงยกเลิกอีกไม่ได้"]}
    spec = {"kind": "stamped", "recipient": "สำนักเลขาธิการคณะรัฐมนตรี", "stamp_initials": "สมชาย",
            "body": ["กระทรวงการต่างประเทศขอส่งสำเนาหนังสือมาเพื่อทราบ"]}
    stamped = letters.letter_create(by=u["mfa.drafter"], content=spec, reviewers=[u["mfa.reviewer"].official],
                                    recipients=[{"agency": units["สลค."].pk}])
    letters.letter_submit(stamped, by=u["mfa.drafter"])
    letters.letter_review(stamped, by=u["mfa.reviewer"], approve=True)
    stamped = documents.letter_pdf_render(letters.letter_issue(stamped, by=u["mfa.clerk"]), by=u["mfa.clerk"])
    assert _refusal(lambda: letters.letter_sign(stamped, by=u["mfa.signer"])) == {
        "state": ["หนังสือประทับตราไม่มีการลงนาม ส่งได้เมื่อออกเลขแล้ว"]}
    assert Letter.objects.get(pk=stamped.pk).state == LetterState.ISSUED
