"""Thai unless the official chose English: the pages follow the language switch (its cookie), not the
browser's Accept-Language, so a browser set to English does not get a half-English portal."""
from django.middleware.locale import LocaleMiddleware


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        header = request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        try:
            super().process_request(request)
        finally:
            if header is not None:
                request.META["HTTP_ACCEPT_LANGUAGE"] = header
