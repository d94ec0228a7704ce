"""Hostile input that gets past parsers as a Python error, answered as the bad input it is."""
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.cache import patch_cache_control

TOO_DEEP = "ข้อมูลที่ส่งมาซ้อนกันลึกเกินไป ระบบจึงไม่รับ"
NUL_IN_QUERY = "เงื่อนไขการค้นหามีอักขระควบคุม (NUL) ที่ระบบไม่รับ"


class HostileInputMiddleware:
    """A JSON (or form) body nested thousands of levels deep makes Python's parsers raise RecursionError;
    without this it would be a server error (500) on any endpoint that parses a body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # PostgreSQL cannot hold a NUL character in text: a query parameter carrying one would fail in
        # the database as a server error; it is no search or filter anyone types.
        if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_IN_QUERY}, status=400, json_dumps_params={"ensure_ascii": False})
            return HttpResponseBadRequest(NUL_IN_QUERY, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RecursionError):
            return JsonResponse({"detail": TOO_DEEP}, status=400, json_dumps_params={"ensure_ascii": False})
        return None


UNAVAILABLE = "ฐานข้อมูลไม่พร้อมใช้งานชั่วคราว กรุณาลองใหม่อีกครั้งในอีกสักครู่"


class DatabaseUnavailableMiddleware:
    """The database restarting or unreachable: answer at once with 503 and a Thai message (the
    transaction was rolled back, nothing was written), rather than a bare 500. The next request
    reconnects by itself (CONN_HEALTH_CHECKS)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import InterfaceError, OperationalError
        from django.http import HttpResponse

        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": UNAVAILABLE}, status=503, json_dumps_params={"ensure_ascii": False})
        else:
            response = HttpResponse(UNAVAILABLE, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "5"
        return response


class PrivateApiMiddleware:
    """API answers carry officials' records (subjects, register lines, scans, exports, classified ones
    among them): no browser or proxy keeps a copy, as the pages' file answers already say. An answer
    that sets its own Cache-Control keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/v1/") and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
