"""Issue 7, acceptance 2, on PostgreSQL: a Thai word inside a compound, a number typed with Arabic digits
for a letter with Thai digits, the text of an uploaded PDF; an ungranted ลับ item is never returned or
counted; matches highlighted after escaping; a constant number of queries."""
import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pythainlp.tokenize import word_tokenize
from rest_framework.test import APIClient

from correspondence.models import SearchDocument
from correspondence.selectors_search import search
from correspondence.services import grants

pytestmark = [pytest.mark.django_db, pytest.mark.services]

COMPOUND_SUBJECT = "ขอเชิญหัวหน้าส่วนราชการเข้าร่วมประชุมคณะกรรมการ"


@pytest.fixture(autouse=True)
def _postgres():
    if connection.vendor != "postgresql":
        pytest.fail("these tests need PostgreSQL: scripts/with-services … pytest tests/search")


def _api(user, q):
    client = APIClient()
    client.force_authenticate(user)
    r = client.get("/api/v1/search/", {"q": q})
    assert r.status_code == 200, r.content[:300]
    return r.json()["results"]


def test_a_word_found_only_inside_a_thai_compound(users, receive):
    item = receive(COMPOUND_SUBJECT)
    receive("ขอความเห็นเรื่องงบประมาณ")
    # PyThaiNLP keeps the compound whole: ราชการ is not a word of the subject, only part of one.
    assert "ส่วนราชการ" in word_tokenize(COMPOUND_SUBJECT, engine="newmm")
    assert "ราชการ" not in word_tokenize(COMPOUND_SUBJECT, engine="newmm")

    hits = search(users["soc.exec"], "ราชการ")
    assert [(h.kind, h.object_id) for h in hits] == [("item", item.pk)]
    assert str(hits[0].title) == "ขอเชิญหัวหน้าส่วน<mark>ราชการ</mark>เข้าร่วมประชุมคณะกรรมการ"
    assert hits[0].url == f"/incoming/{item.pk}/"
    # Words typed without spaces are segmented, then found wherever they are.
    assert [h.object_id for h in search(users["soc.exec"], "คณะกรรมการหัวหน้า")] == [item.pk]
    assert search(users["soc.exec"], "คณะกรรมการงบประมาณ") == []
    assert [r["id"] for r in _api(users["soc.exec"], "ราชการ")] == [item.pk]


def test_the_senders_number_typed_with_arabic_digits(users, receive):
    item = receive("ขอความเห็นประกอบการพิจารณา", number="กต ๐๒๐๓/๖๓๘๑")
    receive("ขอความเห็นประกอบการพิจารณา", number="กต ๐๒๐๓/๖๓๘๒")
    for typed in ("กต 0203/6381", "กต0203/6381", "0203/6381", "กต ๐๒๐๓/๖๓๘๑"):
        hits = search(users["soc.exec"], typed)
        assert [h.object_id for h in hits] == [item.pk], typed
    assert str(search(users["soc.exec"], "0203/6381")[0].number) == "กต <mark>๐๒๐๓/๖๓๘๑</mark>"
    # The sender's name, too.
    assert len(search(users["soc.exec"], "ต่างประเทศ")) == 2


def test_the_text_of_an_uploaded_pdf(users, receive, mfa_spec):
    from correspondence.rendering.pdf import render_letter_pdf

    spec = {**mfa_spec, "number": "กต ๐๒๐๓/๖๓๘๑", "date": "2020-09-17",
            "body": ["ขอเรียนว่าคณะทำงานด้านความมั่นคงปลอดภัยไซเบอร์ได้พิจารณาแล้ว"]}
    pdf = ContentFile(render_letter_pdf(spec), name="in.pdf")
    item = receive("ขอความเห็น", pdf=pdf)
    doc = SearchDocument.objects.get(item=item)
    assert "ความมั่นคงปลอดภัยไซเบอร์" in doc.body and doc.pdf_name == item.pdf.name
    hits = search(users["soc.exec"], "ปลอดภัยไซเบอร์")
    assert [h.object_id for h in hits] == [item.pk]
    assert "<mark>ปลอดภัยไซเบอร์</mark>" in str(hits[0].snippet)
    # A save that does not change the file does not read it again (the text stays, the clock moves on).
    before = doc.updated_at
    item.subject = "ขอความเห็นด่วน"
    item.save()
    doc.refresh_from_db()
    assert doc.updated_at > before and "ความมั่นคงปลอดภัยไซเบอร์" in doc.body and "ขอความเห็นด่วน" in doc.text


def test_an_ungranted_classified_item_is_never_returned_or_counted(users, receive, settings):
    settings.EOFFICE_SECOND_FACTOR = False  # only the grants decide here (the second factor is tested below)
    exec_ = users["soc.exec"]  # cleared for ลับที่สุด, but clearance alone shows nothing
    plain = receive("แผนงานส่วนราชการประจำปี")
    secret = receive("แผนงานส่วนราชการลับเฉพาะ", secrecy=1)
    assert [h.object_id for h in search(exec_, "ราชการ")] == [plain.pk]
    assert _api(exec_, "ลับเฉพาะ") == []
    page = Client()
    page.force_login(exec_)
    html = page.get("/search/", {"q": "ราชการ"}).content.decode()
    assert "ลับเฉพาะ" not in html and f"/incoming/{secret.pk}/" not in html
    assert "พบ 1 รายการ" in html or "พบ ๑ รายการ" in html
    # The registrar who received it is granted, and sees it; then a grant to soc.exec shows it to them too.
    assert {h.object_id for h in search(users["soc.secret"], "ราชการ")} == {plain.pk, secret.pk}
    grants.grant_view(secret, exec_)
    assert {h.object_id for h in search(exec_, "ราชการ")} == {plain.pk, secret.pk}
    assert {r["id"] for r in _api(exec_, "ราชการ")} == {plain.pk, secret.pk}
    # With the second factor required, an API session that has not given it sees no classified hit.
    settings.EOFFICE_SECOND_FACTOR = True
    assert {r["id"] for r in _api(exec_, "ราชการ")} == {plain.pk}
    # soc.officer is cleared only for ลับ; a grant on a ลับมาก item still shows nothing.
    very = receive("แผนงานส่วนราชการลับมาก", secrecy=2)
    officer = users["soc.officer"]
    with pytest.raises(Exception):
        grants.grant_view(very, officer)  # the service refuses: not cleared
    from guardian.shortcuts import assign_perm

    assign_perm("view_incomingitem", officer, very)  # even a grant written behind the service's back
    assert very.pk not in {h.object_id for h in search(officer, "ราชการ")}


def test_highlighting_escapes_html_in_subjects(users, receive):
    item = receive('<script>alert("ราชการ")</script> & <b>ส่วนราชการ</b>')
    hit = search(users["soc.exec"], "ราชการ script")[0]
    assert hit.object_id == item.pk
    assert str(hit.title) == ("&lt;<mark>script</mark>&gt;alert(&quot;<mark>ราชการ</mark>&quot;)&lt;/<mark>script</mark>&gt;"
                              " &amp; &lt;b&gt;ส่วน<mark>ราชการ</mark>&lt;/b&gt;")
    page = Client()
    page.force_login(users["soc.exec"])
    html = page.get("/search/", {"q": "ราชการ script"}).content.decode()
    assert "<script>alert" not in html and "&lt;<mark>script</mark>&gt;alert" in html
    api = _api(users["soc.exec"], "ราชการ")
    assert api[0]["title"].startswith("&lt;script&gt;alert(&quot;<mark>ราชการ</mark>")


def test_constant_number_of_queries(users, receive):
    exec_ = users["soc.exec"]
    page = Client()
    page.force_login(exec_)
    api = APIClient()
    api.force_authenticate(exec_)

    def count(n):
        while SearchDocument.objects.filter(text__contains="ทดสอบจำนวน").count() < n:
            receive("ทดสอบจำนวนคำค้นในส่วนราชการ")
        out = []
        for call in (lambda: search(exec_, "ราชการ"), lambda: page.get("/search/", {"q": "ราชการ"}),
                     lambda: api.get("/api/v1/search/", {"q": "ราชการ"})):
            with CaptureQueriesContext(connection) as ctx:
                call()
            out.append(len(ctx.captured_queries))
        return out

    few, many = count(2), count(25)
    assert few == many, (few, many)
    assert len(search(exec_, "ราชการ")) == 25


def test_the_trigram_index_serves_the_query(users, receive):
    receive(COMPOUND_SUBJECT)
    from correspondence.selectors_search import _documents

    qs = _documents(users["soc.exec"], ["ราชการ"]).order_by("-at", "-id")[:50]
    with connection.cursor() as c:
        c.execute("SET enable_seqscan = off")
        c.execute("SET enable_indexscan = off")  # leave the planner only the bitmap path
    plan = qs.explain()
    assert "search_doc_text_trgm" in plan, plan
    with connection.cursor() as c:
        c.execute("SELECT show_trgm('ส่วนราชการ')")
        assert len(c.fetchone()[0]) >= 8  # Thai letters make trigrams (LC_CTYPE C.UTF-8)


def test_every_path_to_a_page_gives_the_same_page(users, receive, monkeypatch):
    from correspondence import selectors_search

    items = [receive(f"ทดสอบลำดับส่วนราชการ {n}") for n in range(6)]
    receive("แผนงานส่วนราชการลับลำดับ", secrecy=1)  # ungranted for soc.exec on both paths
    sparse = [h.object_id for h in search(users["soc.exec"], "ราชการ", limit=4)]
    monkeypatch.setattr(selectors_search, "WINDOW", 3)  # a page not filled by the newest three: the index
    from_index = [h.object_id for h in search(users["soc.exec"], "ราชการ", limit=4)]
    from_recent = [h.object_id for h in search(users["soc.exec"], "ราชการ", limit=2)]  # the newest three fill it
    assert sparse == from_index == [i.pk for i in reversed(items)][:4]
    assert from_recent == sparse[:2]


def test_the_scan_a_reservation_was_filled_with(users, units, mfa_spec):
    from correspondence.rendering.pdf import render_letter_pdf
    from correspondence.services import numbering

    spec = {**mfa_spec, "number": "นร ๐๕๐๖/๑", "date": "2020-09-17",
            "body": ["ขอเรียนว่าคณะทำงานด้านความมั่นคงปลอดภัยไซเบอร์ได้พิจารณาแล้ว"]}
    line = numbering.number_reserve(unit=units["สลค."], note="พิมพ์นอกระบบ")
    numbering.reservation_fill(line, subject="ขอความเห็น", remarks="ส่งทางไปรษณีย์",
                               scan=ContentFile(render_letter_pdf(spec), name="scan.pdf"))
    doc = SearchDocument.objects.get(entry=line)
    line.refresh_from_db()
    assert "ความมั่นคงปลอดภัยไซเบอร์" in doc.body and doc.pdf_name == line.scan.pdf.name
    assert [h.object_id for h in search(users["soc.clerk"], "ปลอดภัยไซเบอร์")] == [line.pk]
    # The line's own notes are still found beside the scan's text.
    assert [h.object_id for h in search(users["soc.clerk"], "ไปรษณีย์")] == [line.pk]
