"""Which register book numbers the kinds the regulation gives no series of their own: the outgoing register
by default, another book when EOFFICE_KIND_BOOKS says so; a wrong setting stops the start-up check."""
import pytest

from correspondence.checks import kind_books_check
from correspondence.models import BookKind
from correspondence.services import letters

pytestmark = pytest.mark.django_db

NEWS = {"kind": "news", "title": "ข่าวกระทรวงการต่างประเทศ", "subject": "การประชุมผู้นำอาเซียน",
        "issuer": {"name": "กระทรวงการต่างประเทศ"},
        "body": ["กระทรวงการต่างประเทศขอแจ้งกำหนดการประชุมผู้นำอาเซียน"]}


def _issued(users, spec):
    u = users
    letter = letters.letter_create(by=u["mfa.drafter"], content=spec, reviewers=[u["mfa.reviewer"].official])
    letters.letter_submit(letter, by=u["mfa.drafter"])
    letters.letter_review(letter, by=u["mfa.reviewer"], approve=True)
    return letters.letter_issue(letter, by=u["mfa.clerk"])


def test_news_takes_the_outgoing_register_by_default(users):
    letter = _issued(users, NEWS)
    entry = letter.register_entries.get()
    assert entry.book.kind == BookKind.OUTGOING


def test_a_configured_kind_is_numbered_in_its_book(users, settings):
    settings.EOFFICE_KIND_BOOKS = {"news": "announcement"}
    letter = _issued(users, NEWS)
    entry = letter.register_entries.get()
    assert entry.book.kind == BookKind.ANNOUNCEMENT
    assert entry.number == 1 and "/" in letter.number and letter.number.startswith("๑/")


def test_the_regulations_own_series_are_not_configurable():
    assert letters.kind_book("order") == BookKind.ORDER


@pytest.mark.parametrize(("setting", "error_id"), [
    ({"newz": "announcement"}, "correspondence.E001"),
    ({"order": "outgoing"}, "correspondence.E002"),
    ({"news": "incoming"}, "correspondence.E003"),
    ({"news": "secret"}, "correspondence.E003"),
])
def test_a_wrong_setting_is_reported_at_start_up(settings, setting, error_id):
    settings.EOFFICE_KIND_BOOKS = setting
    assert [e.id for e in kind_books_check()] == [error_id]


def test_a_right_setting_passes_the_check(settings):
    settings.EOFFICE_KIND_BOOKS = {"regulation": "order", "news": "announcement", "record": "outgoing"}
    assert kind_books_check() == []
