"""The user's own in-app notifications."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The latest notifications; opening the page marks them read."""
    mine = request.user.notifications.all()
    rows = list(mine[:200])
    mine.filter(read_at=None).update(read_at=timezone.now())
    return render(request, "notifications/inbox.html", {"rows": rows, "title": "notifications"})
