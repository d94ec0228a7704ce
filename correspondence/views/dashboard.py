"""หน้าหลัก: what is urgent for me, overdue, waiting for my review or signature, and what I sent."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from correspondence import selectors_portal


@require_GET
@login_required
def dashboard(request):
    from eoffice import twofactor

    board = selectors_portal.dashboard(request.user, verified=twofactor.is_verified(request))
    unread, latest = selectors_portal.notifications_for(request.user, limit=5)
    return render(request, "correspondence/dashboard.html", {"board": board, "profile": board.official,
                                                             "unread": unread, "latest": latest})


@require_GET
@login_required
def notifications(request):
    unread, rows = selectors_portal.notifications_for(request.user, limit=50)
    return render(request, "correspondence/notifications.html", {"unread": unread, "rows": rows})


@require_POST
@login_required
def notification_read(request, pk):
    """Mark one of the user's notifications read and go where it points."""
    from django.shortcuts import get_object_or_404, redirect

    from correspondence.models.notifications import Notification
    from correspondence.services.notifications import notification_read as mark_read

    n = get_object_or_404(Notification, pk=pk, user=request.user)
    mark_read(n, by=request.user)
    target = selectors_portal.notification_target(n)
    return redirect(target or "portal:notifications")


@require_GET
@login_required
def search(request):
    """One box over subjects, bodies, numbers and senders. The engine is correspondence.selectors_search;
    without it the page says so rather than guessing."""
    q = (request.GET.get("q") or "").strip()
    results, available, no_words = [], True, False
    try:
        from correspondence.selectors_search import search as run_search
    except ImportError:
        available = False
    else:
        from correspondence.searchtext import query_tokens

        # Only punctuation (%, _, quotes, a backslash): nothing to look for, which is not "nothing found".
        no_words = bool(q) and not query_tokens(q)
        if q and not no_words:
            from eoffice import twofactor

            try:
                results = run_search(request.user, q, 50, verified=twofactor.is_verified(request))
            except TypeError:  # an engine without the second-factor switch
                results = run_search(request.user, q, 50)
    return render(request, "correspondence/search.html", {"q": q, "results": results, "available": available,
                                                         "no_words": no_words})
