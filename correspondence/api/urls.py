from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from correspondence.api import views
from correspondence.api.search import SearchView

router = DefaultRouter()
router.register("letters", views.LetterViewSet, basename="letter")
router.register("books", views.BookViewSet, basename="book")
router.register("entries", views.EntryViewSet, basename="entry")
router.register("reservations", views.ReservationViewSet, basename="reservation")
router.register("items", views.ItemViewSet, basename="item")
router.register("minutes", views.MinuteViewSet, basename="minute")

@csrf_exempt
def not_found(request, *args, **kwargs):
    """Any other path under /api/v1/ (an id that is not a number, a misspelt resource): JSON, as the API's
    other errors, not the officials' HTML 404 page. Exempt from CSRF as the API's views are (it changes
    nothing): a signed-in POST there would otherwise get Django's HTML 403 instead of this 404."""
    return JsonResponse({"detail": "ไม่พบข้อมูลที่ขอ"}, status=404)


urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("search/", SearchView.as_view(), name="api-search"),
    path("", include(router.urls)),
    re_path(r"^[\s\S]*$", not_found),  # any character, a line break too (which "." leaves out)
]
