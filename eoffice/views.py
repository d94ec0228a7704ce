from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from eoffice import health
from eoffice.celery import app as celery_app


@require_GET
@never_cache
def healthz(request):
    healthy, body = health.report(celery_app)
    return JsonResponse(body, status=200 if healthy else 503)


@login_required
def home(request):
    return render(request, "home.html", {"profile": getattr(request.user, "official", None)})
