"""Mounted at /exchange/v1/ (eoffice/urls.py)."""
from django.urls import path

from correspondence.exchange import views

app_name = "exchange"

urlpatterns = [
    path("letters", views.letters, name="letters"),
    path("acks", views.acks, name="acks"),
]
