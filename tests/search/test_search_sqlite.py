"""The embedded default (SQLite): the same search without pg_trgm, by LIKE over the index table."""
import pytest
from django.db import connection

from correspondence.selectors_search import search

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def test_compound_word_and_arabic_digit_number_on_sqlite(users, receive):
    assert connection.vendor == "sqlite"
    item = receive("ขอเชิญหัวหน้าส่วนราชการเข้าร่วมประชุม", number="กต ๐๒๐๓/๖๓๘๑")
    secret = receive("แผนงานส่วนราชการลับ", secrecy=1)
    assert [h.object_id for h in search(users["soc.exec"], "ราชการ")] == [item.pk]
    assert [h.object_id for h in search(users["soc.exec"], "กต 0203/6381")] == [item.pk]
    assert str(search(users["soc.exec"], "ราชการ")[0].title) == "ขอเชิญหัวหน้าส่วน<mark>ราชการ</mark>เข้าร่วมประชุม"
    assert {h.object_id for h in search(users["soc.secret"], "ราชการ")} == {item.pk, secret.pk}
