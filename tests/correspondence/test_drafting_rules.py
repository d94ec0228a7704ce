"""Rules a draft is held to when it is written, so nothing fails later at issue, signing or sending:
the signer, the series prefix, the spec's dates, kinds without a subject or a signature."""
import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from correspondence.models import Letter, LetterState
from correspondence.services import documents, letters

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _create(users, spec, **kwargs):
    u = users
    return letters.letter_create(by=u["mfa.drafter"], content=spec, reviewers=[u["mfa.reviewer"].official],
                                 **kwargs)


def test_the_signer_is_a_signer_of_the_letters_own_ministry(users, units, mfa_spec):
    u = users
    for wrong in (u["mfa.drafter"].official, u["moi.signer"].official):  # no signer role / another ministry
        with pytest.raises(ValidationError) as refused:
            _create(users, mfa_spec, signer=wrong)
        assert "ไม่ใช่ผู้ลงนามของกระทรวงการต่างประเทศ" in refused.value.message_dict["signer"][0]
    r = api(u["mfa.drafter"]).post("/api/v1/letters/", {"content": mfa_spec, "signer": u["mfa.drafter"].official.pk},
                                   format="json")
    assert r.status_code == 400 and "signer" in r.json()
    letter = _create(users, mfa_spec, signer=u["mfa.signer"].official)
    with pytest.raises(ValidationError):
        letters.letter_update(letter, by=u["mfa.drafter"], signer=u["moi.signer"].official)
    assert Letter.objects.get(pk=letter.pk).signer_id == u["mfa.signer"].official.pk
    from correspondence import selectors_portal

    offered = selectors_portal.signers_for(u["mfa.drafter"])
    assert u["mfa.signer"].official in offered and u["moi.signer"].official not in offered


def test_a_series_prefix_numbers_cannot_be_printed_with_is_refused_at_drafting(users, mfa_spec):
    before = Letter.objects.count()
    with pytest.raises(ValidationError) as refused:
        _create(users, mfa_spec, signer=users["mfa.signer"].official, series_prefix="ต.ก.๕๕")
    assert "ต.ก." in refused.value.message_dict["series_prefix"][0]
    assert Letter.objects.count() == before
    assert _create(users, mfa_spec, signer=users["mfa.signer"].official, series_prefix="ต.ก.").series_prefix == "ต.ก."


@pytest.mark.parametrize("field,value", [("urgency", 3), ("secrecy", 1), ("urgency", ["urgent"])])
def test_a_level_of_the_wrong_type_is_a_400_not_a_500(users, mfa_spec, field, value):
    r = api(users["mfa.drafter"]).post("/api/v1/letters/", {"content": {**mfa_spec, field: value}}, format="json")
    assert r.status_code == 400 and field in r.json()["content"]


@pytest.mark.parametrize("value,ok", [("2026-12-05", True), ("2026-12-05T10:30", True), (None, True),
                                      ("tomorrow", False), ("2026-13-01", False), ("2569-12-05", False)])
def test_deliver_by_is_checked_as_the_renderer_reads_it(users, mfa_spec, value, ok):
    r = api(users["mfa.drafter"]).post("/api/v1/letters/", {"content": {**mfa_spec, "deliver_by": value}},
                                       format="json")
    assert (r.status_code == 201) is ok, r.json()
    if not ok:
        message = " ".join(r.json()["content"]["deliver_by"])
        assert "ด่วนภายใน" in message or "ปี พ.ศ." in message or "ค.ศ." in message


def test_a_buddhist_era_meeting_date_is_refused_with_the_reason(users, mfa_spec):
    spec = {"kind": "minutes", "title": "รายงานการประชุมคณะทำงาน", "body": ["ระเบียบวาระที่ ๑"],
            "meeting": {"number": "๑/๒๕๖๙", "when": "2569-12-16", "place": "ห้องประชุม", "present": ["นายก"]}}
    with pytest.raises(ValidationError) as refused:
        _create(users, spec)
    text = " ".join(sum(refused.value.message_dict.values(), []))
    assert "ปี 2569 เป็นปี พ.ศ." in text and "2026-12-16" in text


@pytest.mark.parametrize("kind", ["stamped", "certificate"])
def test_kinds_without_a_subject_are_drafted_with_a_register_summary(users, kind):
    spec = {"kind": kind, "recipient": "กรมการกงสุล", "body": ["ขอรับรองว่า นายสมชาย ใจดี เป็นข้าราชการสังกัดกระทรวงนี้"]}
    if kind == "stamped":
        spec["stamp_initials"] = "สมชาย"
    if kind == "certificate":
        spec.pop("recipient")
    signer = users["mfa.signer"].official if kind == "certificate" else None
    letter = _create(users, spec, signer=signer)
    assert letter.subject.startswith("หนังสือประทับตรา: ขอรับรอง" if kind == "stamped" else "หนังสือรับรอง: ขอรับรอง")


def test_a_stamped_letter_is_sent_once_issued_without_a_signature(users, units):
    u = users
    spec = {"kind": "stamped", "recipient": "สำนักเลขาธิการคณะรัฐมนตรี", "stamp_initials": "สมชาย",
            "body": ["กระทรวงการต่างประเทศขอส่งสำเนาหนังสือมาเพื่อทราบ"]}
    letter = _create(users, spec, recipients=[{"agency": units["สลค."].pk}])
    letters.letter_submit(letter, by=u["mfa.drafter"])
    letters.letter_review(letter, by=u["mfa.reviewer"], approve=True)
    letter = letters.letter_issue(letter, by=u["mfa.clerk"])
    from correspondence import selectors_portal

    actions = selectors_portal.letter_actions(u["mfa.clerk"], letter)
    assert actions.send and not actions.sign
    with pytest.raises(ValidationError) as refused:  # no file yet
        letters.letter_send(letter, by=u["mfa.clerk"])
    assert "pdf" in refused.value.message_dict
    documents.letter_pdf_render(letter, by=u["mfa.clerk"])
    letters.letter_send(letter, by=u["mfa.clerk"])
    assert Letter.objects.get(pk=letter.pk).state == LetterState.SENT


def test_a_signed_kind_is_not_sent_before_it_is_signed_nor_without_recipients(users, mfa_spec):
    u = users
    letter = _create(users, mfa_spec, signer=u["mfa.signer"].official)
    letters.letter_submit(letter, by=u["mfa.drafter"])
    letters.letter_review(letter, by=u["mfa.reviewer"], approve=True)
    letter = documents.letter_pdf_render(letters.letter_issue(letter, by=u["mfa.clerk"]), by=u["mfa.clerk"])
    with pytest.raises(ValidationError) as refused:
        letters.letter_send(letter, by=u["mfa.clerk"])
    assert refused.value.message_dict == {"state": ["ส่งได้เฉพาะหนังสือที่ลงนามแล้ว"]}
    letters.letter_sign(letter, by=u["mfa.signer"])
    with pytest.raises(ValidationError) as refused:
        letters.letter_send(letter, by=u["mfa.clerk"])
    assert "recipients" in refused.value.message_dict
    assert Letter.objects.get(pk=letter.pk).state == LetterState.SIGNED


def test_a_regulation_without_a_date_yet_previews():
    from correspondence.rendering.pdf import render_preview

    spec = {"kind": "regulation", "title": "ระเบียบกระทรวงการต่างประเทศ", "about": "การใช้ห้องประชุม",
            "body": ["ข้อ ๑ ระเบียบนี้เรียกว่า"], "signer": {"name": "นายดอน ปรมัตถ์วินัย", "position": ["รัฐมนตรี"]}}
    assert render_preview(spec, fmt="pdf").startswith(b"%PDF")


def test_a_memo_carries_its_owner_units_phone(users):
    u = users
    unit = u["mfa.drafter"].official.unit
    unit.phone = "๐ ๒๒๐๓ ๕๐๐๐"
    unit.save(update_fields=["phone"])
    memo = {"kind": "memo", "subject": "ขออนุมัติเดินทาง", "salutation": "เรียน", "recipient": "อธิบดี",
            "body": ["ด้วยข้าพเจ้า"]}
    letter = _create(users, memo, signer=u["mfa.signer"].official)
    assert letter.content["phone"] == "๐ ๒๒๐๓ ๕๐๐๐"


def test_an_external_letter_carries_its_owner_units_email(users, mfa_spec):
    u = users
    unit = u["mfa.drafter"].official.unit
    unit.email = "saraban@mfa.example.go.th"
    unit.save(update_fields=["email"])
    spec = {k: v for k, v in mfa_spec.items() if k != "email"}
    letter = _create(users, spec, signer=u["mfa.signer"].official)
    assert letter.content["email"] == "saraban@mfa.example.go.th"


def test_the_api_changes_circular_and_series_and_refuses_a_reviewer_twice(users, mfa_spec):
    u = users
    letter = _create(users, mfa_spec, signer=u["mfa.signer"].official)
    client = api(u["mfa.drafter"])
    r = client.patch(f"/api/v1/letters/{letter.pk}/", {"is_circular": True}, format="json")
    assert r.status_code == 200
    letter.refresh_from_db()
    assert letter.is_circular and letter.series_prefix == "ว"
    r = client.patch(f"/api/v1/letters/{letter.pk}/", {"series_prefix": "ต.ก.๕๕"}, format="json")
    assert r.status_code == 400 and "series_prefix" in r.json()
    reviewer = u["mfa.reviewer"].official.pk
    r = client.patch(f"/api/v1/letters/{letter.pk}/", {"reviewers": [reviewer, reviewer]}, format="json")
    assert r.status_code == 400 and "ลำดับละหนึ่งคน" in r.json()["reviewers"][0]
