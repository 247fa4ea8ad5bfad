"""Following a search by email: the subscribe form, the confirmation, the alerts of an address,
and one-click unsubscribing (archive/alerts.py does the work)."""

from __future__ import annotations

import math

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from archive import alerts
from archive.api.throttling import AlertAddressThrottle, AlertClientThrottle
from archive.following import SEARCH_KEYS, Followed
from archive.models import AlertFrequency, AlertSubscription
from archive.search import QueryRefused

# Domains of throw-away inboxes: an alert sent there helps nobody.
DISPOSABLE_DOMAINS = frozenset(
    {
        "mailinator.com",
        "guerrillamail.com",
        "10minutemail.com",
        "tempmail.com",
        "temp-mail.org",
        "yopmail.com",
        "trashmail.com",
        "sharklasers.com",
        "getnada.com",
        "dispostable.com",
        "maildrop.cc",
        "throwawaymail.com",
    }
)


def email_problem(email: str) -> str | None:
    try:
        validate_email(email)
    except ValidationError:
        return _("Please give a valid email address, such as name@example.org.")
    if email.rsplit("@", 1)[-1].lower() in DISPOSABLE_DOMAINS:
        return _("Alerts cannot go to a disposable inbox: please give an address you read.")
    return None


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    followed = Followed.from_mapping({key: data.get(key, "") for key in SEARCH_KEYS})
    email = data.get("email", "").strip()
    frequency = data.get("frequency", AlertFrequency.DAILY)
    context: dict[str, object] = {
        "followed": followed,
        "what": followed.describe(),
        "email": email,
        "frequency": frequency,
        "frequencies": AlertFrequency.choices,
        "section": "search",
    }
    try:
        followed.check()
    except QueryRefused as refused:
        context["error"] = _("This search cannot be followed: %(reason)s") % {"reason": refused}
        return render(request, "archive/alerts/subscribe.html", context, status=400)
    if request.method == "GET":
        return render(request, "archive/alerts/subscribe.html", context)
    if data.get("website"):  # the honeypot: people leave it empty, form-filling robots do not
        return render(request, "archive/alerts/subscribed.html", context)
    problem = email_problem(email)
    if problem is None and frequency not in AlertFrequency.values:
        problem = _("Please choose how often to get the alert.")
    if problem is not None:
        context["error"] = problem
        return render(request, "archive/alerts/subscribe.html", context, status=400)
    # The client's count first: a flood from one address does not use up another's quota.
    for throttle in (AlertClientThrottle(), AlertAddressThrottle()):
        if not throttle.allow_request(request, None):
            context["error"] = _("Too many alert requests: please try again in an hour.")
            response = render(request, "archive/alerts/subscribe.html", context, status=429)
            response["Retry-After"] = str(max(1, math.ceil(throttle.wait() or 1)))
            return response
    alerts.subscribe(email, followed, frequency, get_language() or "en")
    # The same answer whether or not the address had subscribed before.
    return render(request, "archive/alerts/subscribed.html", context)


def _bad_link(request: HttpRequest, error: alerts.BadToken) -> HttpResponse:
    return render(request, "archive/alerts/bad_link.html", {"error": str(error)}, status=400)


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscription = alerts.subscription_of(token, "confirm", max_age=alerts.CONFIRM_MAX_AGE)
    except alerts.BadToken as error:
        return _bad_link(request, error)
    alerts.confirm(subscription)
    followed = Followed.from_mapping(subscription.search)
    return render(
        request,
        "archive/alerts/confirmed.html",
        {"what": followed.describe(), "subscription": subscription, **alerts.links(subscription)},
    )


def manage(request: HttpRequest, token: str) -> HttpResponse:
    try:
        email = str(alerts.read_token(token, "manage")["email"])
    except alerts.BadToken as error:
        return _bad_link(request, error)
    rows = [
        {
            "what": Followed.from_mapping(subscription.search).describe(),
            "subscription": subscription,
            "unsubscribe": alerts.links(subscription)["unsubscribe"],
        }
        for subscription in AlertSubscription.objects.filter(email__iexact=email)
    ]
    return render(request, "archive/alerts/manage.html", {"email": email, "rows": rows})


# A mail client's one-click POST (RFC 8058) carries no CSRF token: the signed link is the proof.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscription = alerts.subscription_of(token, "unsubscribe")
    except alerts.BadToken as error:
        return _bad_link(request, error)
    what = Followed.from_mapping(subscription.search).describe()
    if request.method == "GET":
        return render(request, "archive/alerts/unsubscribe.html", {"what": what})
    alerts.unsubscribe(subscription)
    return render(request, "archive/alerts/unsubscribed.html", {"what": what})
