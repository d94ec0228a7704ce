"""The OpenAPI schema (/api/schema/) documents what the API really accepts and answers: every content type
an upload endpoint parses, and the error answers (400, 403, 404) with shapes that real error bodies match."""
import pytest
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from correspondence.models import Channel, IncomingItem
from correspondence.services import receiving

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def schema(users):
    response = api(users["soc.clerk"]).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_a_valid_openapi_document(schema):
    validate_schema(schema)


def test_receiving_an_item_documents_each_content_type_it_parses(schema):
    content = schema["paths"]["/api/v1/items/"]["post"]["requestBody"]["content"]
    assert set(content) == {"multipart/form-data", "application/json", "application/x-www-form-urlencoded"}
    fields = {media: schema["components"]["schemas"][c["schema"]["$ref"].rsplit("/", 1)[1]]["properties"]
              for media, c in content.items()}
    assert fields["multipart/form-data"]["pdf"]["format"] == "binary"
    # JSON and a plain form carry no file: the schema does not offer one there.
    assert "pdf" not in fields["application/json"] and "pdf" not in fields["application/x-www-form-urlencoded"]
    assert set(fields["application/json"]) == set(fields["multipart/form-data"]) - {"pdf"}


def test_an_item_sent_as_json_or_a_form_is_received_and_a_json_file_is_refused(users, units):
    clerk, soc = api(users["soc.clerk"]), units["สลค."]
    fields = {"unit": soc.pk, "channel": Channel.SCAN, "sender_text": "กระทรวงการคลัง", "subject": "ขอเชิญประชุม"}
    assert clerk.post("/api/v1/items/", fields, format="json").status_code == 201
    form = clerk.post("/api/v1/items/", fields)  # APIClient's default: a multipart form without a file
    assert form.status_code == 201
    encoded = clerk.generic("POST", "/api/v1/items/", "unit=%d&channel=scan&sender_text=x&subject=y" % soc.pk,
                            content_type="application/x-www-form-urlencoded")
    assert encoded.status_code == 201, encoded.json()
    before = IncomingItem.objects.count()
    refused = clerk.post("/api/v1/items/", {**fields, "pdf": "JVBERi0xLjQKJSVFT0YK"}, format="json")
    assert refused.status_code == 400 and list(refused.json()) == ["pdf"]
    assert IncomingItem.objects.count() == before
