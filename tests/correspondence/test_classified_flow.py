"""Classified records move on: the registrar presents an item to an executive, an approved letter reaches
its issuing clerks, and ลับที่สุด leaves on paper. Nobody else gains sight of them."""
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from correspondence import permissions, selectors_portal
from correspondence.models import Channel, LetterState, Notification
from correspondence.services import documents, letters, receiving

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret_item(users, units):
    registrar = users["soc.secret"]
    item = receiving.incoming_receive(unit=units["สลค."], by=registrar, channel=Channel.SCAN,
                                      subject="แผนป้องกันลับมาก", sender_text="กระทรวงกลาโหม", secrecy=2)
    item, _ = receiving.incoming_register(item, by=registrar)
    return item


def test_the_registrar_presents_a_classified_item_and_the_executive_minutes_it(users, secret_item,
                                                                               django_capture_on_commit_callbacks):
    u = users
    executive = u["soc.exec"]
    assert not permissions.visible_items(executive).filter(pk=secret_item.pk).exists()
    offered = receiving.presentable_executives(secret_item)
    assert executive.official in offered and u["soc.officer"].official not in offered
    assert selectors_portal.item_actions(u["soc.secret"], secret_item).present
    with pytest.raises(ValidationError):  # not an executive
        receiving.item_present(secret_item, by=u["soc.secret"], to=u["soc.officer"].official)
    with pytest.raises(Exception):  # only the registrar presents
        receiving.item_present(secret_item, by=u["soc.clerk"], to=executive.official)
    with django_capture_on_commit_callbacks(execute=True):
        receiving.item_present(secret_item, by=u["soc.secret"], to=executive.official)
    assert permissions.visible_items(executive).filter(pk=secret_item.pk).exists()
    assert Notification.objects.filter(user=executive, object_id=secret_item.pk).exists()
    minute = receiving.minute_write(secret_item, by=executive, action="เพื่อโปรดพิจารณา")
    assert minute.pk and not permissions.visible_items(u["soc.officer"]).filter(pk=secret_item.pk).exists()


def test_presenting_through_the_page(users, secret_item, client, second_factor):
    registrar, executive = users["soc.secret"], users["soc.exec"]
    client.force_login(registrar)
    second_factor(client, registrar)
    page = client.get(reverse("portal:item", args=[secret_item.pk])).content.decode()
    assert 'id="do-present"' in page and executive.official.display_name in page
    r = client.post(reverse("portal:item-present", args=[secret_item.pk]), {"to": executive.official.pk})
    assert r.status_code == 302
    assert permissions.visible_items(executive).filter(pk=secret_item.pk).exists()
    r = client.post(reverse("portal:item-present", args=[secret_item.pk]), {"to": ""}, follow=True)
    assert "กรุณาเลือกผู้บังคับบัญชาที่จะเสนอ" in r.content.decode()


def _classified_letter(users, mfa_spec, secrecy):
    u = users
    for name in ("mfa.drafter", "mfa.reviewer", "mfa.signer"):
        official = u[name].official
        official.clearance = 3
        official.save(update_fields=["clearance"])
    letter = letters.letter_create(by=u["mfa.drafter"], content={**mfa_spec, "secrecy": secrecy},
                                   signer=u["mfa.signer"].official, reviewers=[u["mfa.reviewer"].official])
    letters.letter_submit(letter, by=u["mfa.drafter"])
    return letter


def test_an_approved_classified_letter_reaches_its_cleared_issuing_clerk_only(users, mfa_spec):
    u = users
    letter = _classified_letter(users, mfa_spec, "secret")
    clerk = u["mfa.clerk"]
    assert not permissions.visible_letters(clerk).filter(pk=letter.pk).exists()  # clearance ปกติ
    letters.letter_review(letter, by=u["mfa.reviewer"], approve=True)
    assert not permissions.visible_letters(clerk).filter(pk=letter.pk).exists()  # not cleared: no grant
    official = clerk.official
    official.clearance = 2
    official.save(update_fields=["clearance"])
    letter2 = _classified_letter(users, mfa_spec, "secret")
    letters.letter_review(letter2, by=u["mfa.reviewer"], approve=True)
    assert permissions.visible_letters(clerk).filter(pk=letter2.pk).exists()
    letters.letter_issue(letter2, by=clerk)


def test_top_secret_is_recorded_as_sent_on_paper_never_sent_electronically(users, mfa_spec):
    from correspondence.models import Letter, OutboxMessage

    u = users
    official = u["mfa.clerk"].official
    official.clearance = 3
    official.save(update_fields=["clearance"])
    letter = _classified_letter(users, mfa_spec, "top_secret")
    letters.letter_review(letter, by=u["mfa.reviewer"], approve=True)
    letter = documents.letter_pdf_render(letters.letter_issue(letter, by=u["mfa.clerk"]), by=u["mfa.clerk"])
    letter = letters.letter_sign(letter, by=u["mfa.signer"])
    actions = selectors_portal.letter_actions(u["mfa.clerk"], letter)
    assert actions.dispatch_paper and not actions.send
    with pytest.raises(ValidationError):
        letters.letter_send(letter, by=u["mfa.clerk"])
    letters.letter_dispatch_paper(letter, by=u["mfa.clerk"], note="ส่งโดยเจ้าหน้าที่นำสาร")
    letter = Letter.objects.get(pk=letter.pk)
    assert letter.state == LetterState.SENT and not OutboxMessage.objects.filter(letter=letter).exists()
    plain = letters.letter_create(by=u["mfa.drafter"], content=mfa_spec, signer=u["mfa.signer"].official)
    with pytest.raises(ValidationError):  # only ลับที่สุด goes this way
        letters.letter_dispatch_paper(plain, by=u["mfa.clerk"])
