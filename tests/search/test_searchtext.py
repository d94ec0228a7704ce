"""The normal form, query segmentation and highlighting (pure functions)."""
import pytest

from correspondence import searchtext

pytestmark = pytest.mark.sqlite


def test_normal_form():
    assert searchtext.normalize("  กต  ๐๒๐๓/๖๓๘๑\nABC ") == "กต 0203/6381 abc"
    assert searchtext.normalize("สำนัก") == searchtext.normalize("ส\u0e4d\u0e32นัก")  # sara am as pdftotext splits it
    assert searchtext.number_key("กต ๐๒๐๓ / ๖๓๘๑") == "กต0203/6381"


def test_query_tokens():
    assert searchtext.query_tokens("ประชุมส่วนราชการ") == ["ประชุม", "ส่วนราชการ"]
    assert searchtext.query_tokens("กต ๐๒๐๓/๖๓๘๑") == ["กต", "0203/6381"]
    assert searchtext.query_tokens("ราชการ ส่วนราชการ") == ["ส่วนราชการ"]  # one inside another adds nothing
    assert searchtext.query_tokens(" / - ") == []


def test_highlight_escapes_then_marks():
    assert str(searchtext.highlight("<b>ส่วนราชการ</b> & ราชการ", ["ราชการ"])) == (
        "&lt;b&gt;ส่วน<mark>ราชการ</mark>&lt;/b&gt; &amp; <mark>ราชการ</mark>")
    # Thai digits in the text, Arabic in the query; overlapping tokens make one mark.
    assert str(searchtext.highlight("ที่ กต ๐๒๐๓/๖๓๘๑", ["0203/6381", "6381"])) == "ที่ กต <mark>๐๒๐๓/๖๓๘๑</mark>"
    # a token that is an HTML entity's spelling does not match inside the escaped text
    assert str(searchtext.highlight("a & b", ["amp"])) == "a &amp; b"


def test_snippet_window():
    text = "ก" * 500 + " คณะทำงานด้านไซเบอร์ " + "ข" * 500
    out = str(searchtext.snippet(text, ["ไซเบอร์"]))
    assert out.startswith("…") and out.endswith("…") and "<mark>ไซเบอร์</mark>" in out and len(out) < 220
    assert str(searchtext.snippet("ไม่มีคำนี้", ["ไซเบอร์"])) == ""
