"""The OpenAPI schema's error answers. Every operation lists the errors it can give, with their shapes, so a
client can read them as it reads the successes (see the module docstring of ``correspondence.api.views``):

- 400 ``ValidationError``: ``{field: [Thai message, …]}``; a nested field or a list of them keeps that shape
  one level down, and problems of the letter spec sit under ``content`` keyed by their path in the spec
  (``{"content": {"signer.position": […]}}``). A body that cannot be read at all answers ``{"detail": …}``.
  A file over the size limit is a 400 on its field (``pdf``).
- 503 on signing, when the queue cannot take the job: ``{"signature": [Thai message]}``.
- 403 and 404 ``Error``: ``{"detail": Thai message}``. Unauthenticated requests answer 403, not 401: the
  first authentication class (session) sends no WWW-Authenticate challenge.
- 429 ``Error`` on the token endpoint: the login throttling (django-axes) has locked the username out from
  that address, even with the right password, until the cool-off ends (``eoffice.access_events``); its
  ``Retry-After`` header gives the seconds until then.
"""
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny

_MESSAGES = {"type": "array", "items": {"type": "string"}}

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string", "description": "ข้อความอธิบายเป็นภาษาไทย"}},
    "required": ["detail"],
}

FIELD_ERRORS = {
    "description": "Messages of one field; for a nested field, the same shape keyed by its fields (or by the "
                   "path in the letter spec under ``content``); for a list of objects, one such object per "
                   "element, empty for a good one.",
    "anyOf": [
        {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}},
        {"type": "object", "additionalProperties": {"anyOf": [{"type": "array"}, {"type": "object"}]}},
    ],
}

VALIDATION_ERROR = {
    "type": "object",
    "description": "Field → Thai messages. ``detail`` alone when the body could not be read.",
    "properties": {
        "detail": {"type": "string"},
        "non_field_errors": _MESSAGES,
    },
    "additionalProperties": {"$ref": "#/components/schemas/FieldErrors"},
}

_WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# Actions that answer 503 when a service they hand work to (cache, queue) is down: the request was fine and
# may be sent again later; the body has the 400's shape ({field: [message]}).
TEMPORARILY_UNAVAILABLE = {"sign": "ลงนามไม่ได้ชั่วคราว (ระบบคิวงานไม่พร้อม) ไม่มีการเปลี่ยนแปลง ลองใหม่ภายหลัง"}
LOCKED_OUT = ("ใส่รหัสผ่านผิดหลายครั้งเกินกำหนด จึงระงับการเข้าสู่ระบบของชื่อผู้ใช้นี้จากเครื่องนี้ไว้ชั่วคราว "
              "(แม้รหัสผ่านถูกต้อง) จนพ้นเวลาที่กำหนด")

RETRY_AFTER = {"description": "วินาทีจนกว่าจะเข้าสู่ระบบได้อีก (ไม่มีเมื่อต้องให้ผู้ดูแลระบบปลดล็อก)",
               "schema": {"type": "integer", "minimum": 1}}


class ErrorsAutoSchema(AutoSchema):
    """drf-spectacular's schema with the error answers added to each operation (none overrides what an
    ``extend_schema`` already gives for that status)."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, (component, description) in self._error_codes().items():
            responses.setdefault(code, {"description": description,
                                        "content": {"application/json": {"schema": self._ref(component)}}})
        if "429" in responses:
            responses["429"].setdefault("headers", {"Retry-After": RETRY_AFTER})
        return responses

    def _error_codes(self) -> dict:
        codes = {}
        if self._may_refuse_input():
            codes["400"] = ("ValidationError", "ข้อมูลไม่ถูกต้อง (ข้อความตามช่องข้อมูล)")
        if any(p is not AllowAny for p in self.view.permission_classes):
            codes["403"] = ("Error", "ไม่ได้เข้าสู่ระบบ ไม่มีสิทธิ์ หรือต้องยืนยันตัวตนขั้นที่สอง")
        if "{" in self.path or (self._is_list_view() and self._get_paginator()):
            codes["404"] = ("Error", "ไม่พบข้อมูล (หรือไม่มีสิทธิ์เห็น) หรือไม่มีหน้าที่ขอ")
        if getattr(self.view, "action", None) in TEMPORARILY_UNAVAILABLE:
            codes["503"] = ("ValidationError", TEMPORARILY_UNAVAILABLE[self.view.action])
        if isinstance(self.view, ObtainAuthToken):  # the one API view that checks a password
            codes["429"] = ("Error", LOCKED_OUT)
        return codes

    def _may_refuse_input(self) -> bool:
        # The registry's views turn a service's refusal into a 400 on any operation; elsewhere only
        # what reads a body or query parameters can answer one.
        from correspondence.api.views import ServiceErrors

        if isinstance(self.view, ServiceErrors) or self.method in _WRITES:
            return True
        return any(p.get("in") == "query" for p in self._get_parameters())

    def _ref(self, name: str) -> dict:
        schemas = {"Error": ERROR, "ValidationError": VALIDATION_ERROR, "FieldErrors": FIELD_ERRORS}
        if name == "ValidationError":
            self._register("FieldErrors", schemas["FieldErrors"])
        return self._register(name, schemas[name]).ref

    def _register(self, name: str, schema: dict) -> ResolvedComponent:
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema)
        self.registry.register_on_missing(component)
        return component
