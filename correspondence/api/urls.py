from django.urls import include, path
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

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("search/", SearchView.as_view(), name="api-search"),
    path("", include(router.urls)),
]
