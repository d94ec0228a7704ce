"""The OpenAPI schema (/api/schema/) documents what the API really accepts and answers: every content type
an upload endpoint parses, and the error answers (400, 403, 404) with shapes that real error bodies match."""
import re
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
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


def conforms(schema, body, component):
    """Validates a body against a component of the schema, its references resolved in the same document."""
    jsonschema.validate(body, {"$ref": f"#/components/schemas/{component}", "components": schema["components"]})


def error_ref(operation, code):
    return operation["responses"][code]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]


def test_the_schema_with_its_errors_is_a_valid_openapi_document(schema):
    validate_schema(schema)


def request_fields(schema, path):
    """The fields of a POST body by content type; the three content types the API parses are listed."""
    content = schema["paths"][path]["post"]["requestBody"]["content"]
    assert set(content) == {"multipart/form-data", "application/json", "application/x-www-form-urlencoded"}
    return {media: schema["components"]["schemas"][c["schema"]["$ref"].rsplit("/", 1)[1]]["properties"]
            for media, c in content.items()}


def test_receiving_an_item_documents_each_content_type_it_parses(schema):
    fields = request_fields(schema, "/api/v1/items/")
    assert fields["multipart/form-data"]["pdf"]["format"] == "binary"
    # JSON and a plain form carry no file: the schema does not offer one there.
    assert "pdf" not in fields["application/json"] and "pdf" not in fields["application/x-www-form-urlencoded"]
    assert set(fields["application/json"]) == set(fields["multipart/form-data"]) - {"pdf"}


def test_filling_a_reservation_documents_the_scan_upload(schema):
    fields = request_fields(schema, "/api/v1/reservations/{id}/fill/")
    assert fields["multipart/form-data"]["pdf"]["format"] == "binary"
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


@pytest.mark.parametrize("path, method", [
    ("/api/v1/letters/", "post"),                    # create a letter
    ("/api/v1/items/{id}/register/", "post"),        # register an item
    ("/api/v1/letters/{id}/submit/", "post"),        # a transition
    ("/api/v1/items/{id}/", "get"),
])
def test_representative_operations_list_their_errors(schema, path, method):
    operation = schema["paths"][path][method]
    assert error_ref(operation, "400") == "ValidationError"
    assert error_ref(operation, "403") == "Error"
    if "{id}" in path:
        assert error_ref(operation, "404") == "Error"
    # The success answer an extend_schema gave is kept.
    assert {"200", "201"} & set(operation["responses"])


def test_signing_documents_its_503_when_the_queue_is_down(schema):
    operation = schema["paths"]["/api/v1/letters/{id}/sign/"]["post"]
    assert error_ref(operation, "503") == "ValidationError"
    conforms(schema, {"signature": ["ลงนามไม่ได้ชั่วคราว"]}, "ValidationError")
    assert "503" not in schema["paths"]["/api/v1/letters/{id}/submit/"]["post"]["responses"]


def test_lists_answer_404_for_a_page_past_the_end_and_the_token_endpoint_no_403(schema):
    assert error_ref(schema["paths"]["/api/v1/letters/"]["get"], "404") == "Error"
    assert "403" not in schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]


def test_real_error_bodies_match_the_documented_shapes(schema, users, units, mfa_spec):
    drafter = api(users["mfa.drafter"])
    bodies = []
    # A spec problem keyed by its path in the content, and a nested list of recipients with one bad element.
    spec = {**mfa_spec, "signer": {**mfa_spec["signer"], "position": ""}}
    bodies.append(drafter.post("/api/v1/letters/", {"content": spec}, format="json"))
    bodies.append(drafter.post("/api/v1/letters/", {"content": mfa_spec, "recipients": [{"agency": 1}, {"email": "x"}],
                                                    "reviewers": ["a"]}, format="json"))
    # A body that is not JSON at all, and a field of the query string.
    bodies.append(drafter.generic("POST", "/api/v1/letters/", "{not json", content_type="application/json"))
    bodies.append(drafter.get("/api/v1/entries/", {"date_from": "22/11/2026"}))
    for response in bodies:
        assert response.status_code == 400, response.content
        conforms(schema, response.json(), "ValidationError")
    assert "detail" in bodies[2].json()
    assert "recipients" in bodies[1].json() and "reviewers" in bodies[1].json()

    item = receiving.incoming_receive(unit=units["สลค."], by=users["soc.clerk"], channel=Channel.SCAN,
                                      subject="ทดสอบ", sender_text="กห")
    missing = drafter.post(f"/api/v1/items/{item.pk}/register/")  # not a clerk of that unit: not visible
    refused = APIClient().post("/api/v1/letters/", {}, format="json")  # not signed in
    for response, code in ((missing, 404), (refused, 403)):
        assert response.status_code == code, response.content
        conforms(schema, response.json(), "Error")


def test_a_file_over_the_limit_is_a_documented_400_on_its_field(schema, users, units, settings):
    settings.EOFFICE_MAX_UPLOAD_BYTES = 1024
    response = api(users["soc.clerk"]).post("/api/v1/items/", {
        "unit": units["สลค."].pk, "sender_text": "กห", "subject": "ใหญ่",
        "pdf": ContentFile(b"%PDF-1.4\n" + b"0" * 200_000, name="big.pdf")}, format="multipart")
    assert response.status_code == 400 and list(response.json()) == ["pdf"]
    conforms(schema, response.json(), "ValidationError")


def test_the_token_endpoint_documents_its_lockout_and_a_real_lockout_matches(schema, users, settings):
    """Wrong passwords past the login throttling's limit: the token endpoint answers 429 with the documented
    ``Error`` body (a Thai ``detail``), and goes on answering it even for the right password."""
    settings.AXES_ENABLED, settings.AXES_FAILURE_LIMIT = True, 3
    operation = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert error_ref(operation, "429") == "Error"
    assert "ระงับการเข้าสู่ระบบ" in operation["responses"]["429"]["description"]
    assert operation["responses"]["429"]["headers"]["Retry-After"]["schema"]["type"] == "integer"
    assert "429" not in schema["paths"]["/api/v1/letters/"]["post"]["responses"]  # only where a password is checked

    client = APIClient()
    answers = [client.post("/api/v1/auth/token/", {"username": "soc.clerk", "password": "wrong"}, format="json")
               for _ in range(3)]
    answers.append(client.post("/api/v1/auth/token/", {"username": "soc.clerk", "password": "demo-saraban-2569"}))
    assert [r.status_code for r in answers] == [400, 400, 429, 429]
    conforms(schema, answers[0].json(), "ValidationError")
    for locked in answers[2:]:
        assert locked["Content-Type"] == "application/json"
        conforms(schema, locked.json(), "Error")
        assert "รหัสผ่านผิดหลายครั้งเกินกำหนด" in locked.json()["detail"]
        assert int(locked["Retry-After"]) == round(settings.AXES_COOLOFF_TIME * 3600)


def test_prefill_answers_match_the_documented_shape_whatever_the_pdf_gave(schema, users):
    """Prefill gives only what it could read: a blank scan gives no field but its source, a portal letter
    its letter.json fields (addressee, urgency and secrecy included); both are what the schema says."""
    from pdf_samples import blank_pdf

    body = api(users["soc.clerk"]).post("/api/v1/items/prefill/", {"pdf": ContentFile(blank_pdf(), name="a.pdf")},
                                        format="multipart")
    assert body.status_code == 200 and body.json() == {"source": "text"}
    ref = schema["paths"]["/api/v1/items/prefill/"]["post"]["responses"]["200"]["content"]["application/json"]
    component = ref["schema"]["$ref"].rsplit("/", 1)[1]
    conforms(schema, body.json(), component)
    from_letter = {"their_number": "กต 0203/12", "dated": "2026-11-20", "sender_text": "กระทรวงการต่างประเทศ",
                   "subject": "ขอเชิญประชุม", "addressee": "เลขาธิการคณะรัฐมนตรี", "urgency": 3, "secrecy": 0,
                   "source": "letter.json"}
    conforms(schema, from_letter, component)
    assert set(schema["components"]["schemas"][component]["properties"]) == set(from_letter)


# `GET /letters/{id}/`, `POST /api/v1/auth/token/`: docs/api.md gives paths under /api/v1/ without the prefix.
DOCUMENTED_OPERATION = re.compile(r"`(GET|POST|PUT|PATCH|DELETE) (/[^`?\s]*)")


def test_docs_api_lists_every_operation_of_the_schema_and_no_other(schema):
    text = (Path(settings.BASE_DIR) / "docs" / "api.md").read_text(encoding="utf-8")
    documented = {(method, path if path.startswith("/api/") else "/api/v1" + path)
                  for method, path in DOCUMENTED_OPERATION.findall(text)}
    real = {(method.upper(), path) for path, operations in schema["paths"].items()
            for method in operations if method in {"get", "post", "put", "patch", "delete"}}
    assert sorted(real - documented) == [] and sorted(documented - real) == []


def test_a_book_export_documents_the_type_of_each_output(schema, users, units):
    """?output=csv|xlsx|pdf answers text/csv, XLSX or PDF: the schema lists those, and a real export's
    type is among them."""
    from correspondence.services import exports

    documented = schema["paths"]["/api/v1/books/{id}/export/"]["get"]["responses"]["200"]["content"]
    assert set(documented) == {media.split(";")[0] for media in exports.FORMATS.values()}
    clerk = users["soc.clerk"]
    item = receiving.incoming_receive(unit=units["สลค."], by=clerk, channel=Channel.SCAN, subject="ทดสอบ",
                                      sender_text="กห")
    receiving.incoming_register(item, by=clerk)
    book = item.register_entries.get().book
    for output in ("csv", "xlsx"):
        answer = api(clerk).get(f"/api/v1/books/{book.pk}/export/", {"output": output})
        assert answer.status_code == 200 and answer["Content-Type"].split(";")[0] in documented, output
