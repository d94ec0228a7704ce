"""สิ่งที่ส่งมาด้วย reach the recipient inside the portal: listed on the item, downloadable by who may see
the item, and nobody else."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from correspondence.models import IncomingItem
from correspondence.services import delivery, documents, letters
from pdf_samples import blank_pdf

pytestmark = pytest.mark.django_db


def test_an_enclosure_reaches_the_recipient_agency(users, units, mfa_spec, client):
    u = users
    letter = letters.letter_create(by=u["mfa.drafter"], content=mfa_spec, signer=u["mfa.signer"].official,
                                   reviewers=[u["mfa.reviewer"].official], recipients=[{"agency": units["สลค."].pk}])
    enclosure = documents.enclosure_attach(letter, by=u["mfa.drafter"], description="รายชื่อผู้เข้าประชุม",
                                           quantity="๑ ชุด", file=SimpleUploadedFile("list.pdf", blank_pdf()))
    letters.letter_submit(letter, by=u["mfa.drafter"])
    letters.letter_review(letter, by=u["mfa.reviewer"], approve=True)
    letter = documents.letter_pdf_render(letters.letter_issue(letter, by=u["mfa.clerk"]), by=u["mfa.clerk"])
    letters.letter_sign(letter, by=u["mfa.signer"])
    (row,) = letters.letter_send(letter, by=u["mfa.clerk"])
    delivery.outbox_deliver(row.pk)
    item = IncomingItem.objects.get(letter=letter)

    client.force_login(u["soc.clerk"])
    page = client.get(reverse("portal:item", args=[item.pk])).content.decode()
    url = reverse("portal:item-enclosure", args=[item.pk, enclosure.pk])
    assert 'id="enclosures"' in page and url in page and "รายชื่อผู้เข้าประชุม" in page
    got = client.get(url)
    assert got.status_code == 200 and b"".join(got.streaming_content) == blank_pdf()
    api = APIClient()
    api.force_authenticate(u["soc.clerk"])
    assert api.get(f"/api/v1/items/{item.pk}/").json()["enclosures"] == [
        {"description": "รายชื่อผู้เข้าประชุม", "quantity": "๑ ชุด", "file": url}]
    client.force_login(u["mfa.drafter"])  # sees the letter, not the Secretariat's item
    assert client.get(url).status_code == 404
