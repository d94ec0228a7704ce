"""Fixtures of the reminder tests: demo officials as users, reference units, a routed and minuted item."""
import pytest

from correspondence.models import Channel
from correspondence.services import receiving
from eoffice.levels import Urgency


@pytest.fixture
def received(users, units):
    """An item received and registered at สลค. (the executive soc.exec must minute it)."""

    def make(urgency=Urgency.MOST_URGENT, at=None, subject="ขอข้อมูลด่วน", secrecy=0, deliver_by=None):
        by = users["soc.secret"] if secrecy else users["soc.clerk"]
        item = receiving.incoming_receive(unit=units["สลค."], by=by, channel=Channel.SCAN, subject=subject,
                                          sender_text="กระทรวงมหาดไทย", urgency=urgency, secrecy=secrecy,
                                          deliver_by=deliver_by, at=at)
        item, _ = receiving.incoming_register(item, by=by, at=at)
        return item

    return make


@pytest.fixture
def assigned(users, units, received):
    """A ด่วนที่สุด item routed from สลค. to ภค., registered there and assigned by soc.exec to soc.officer."""

    def make(urgency=Urgency.MOST_URGENT, subject="ขอข้อมูลด่วนที่สุด"):
        item = received(urgency=urgency, subject=subject)
        (routing,) = receiving.item_route(item, by=users["soc.clerk"], to_units=[units["ภค."]])
        copy, _ = receiving.incoming_register(routing.copy, by=users["soc.div.clerk"])
        minute = receiving.minute_write(copy, by=users["soc.exec"], action="มอบ ภค. ดำเนินการ",
                                        assignee=users["soc.officer"].official)
        return copy, minute

    return make


@pytest.fixture
def smtp(settings):
    """Django sends through a real SMTP server on loopback; yields the server with its messages."""
    from smtp_sink import SmtpSink

    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        yield sink
