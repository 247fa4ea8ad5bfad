"""Email alerts without an account: subscribe, confirm, digest, unsubscribe.

- **Double opt-in.** A subscription is written unconfirmed and only a confirmation is sent; its
  link carries a signed token (`CONFIRM_MAX_AGE`). Subscribing again to the same search with the
  same address reuses the row and sends the confirmation again, so the answer (and the email)
  never tell whether an address was already subscribed.
- **Digests.** `send_digests()` (manage.py send_alerts) takes the moment it starts as the end of
  what it covers. For each confirmed subscription that is due, the turns of transcripts first
  published after its `covered_until` and up to that moment are found (archive/following.py),
  mailed, and `covered_until` moved to that moment in the same transaction as the sending, one
  subscription at a time: run twice, the second run finds nothing new; killed half-way, the next
  run sends what was not sent and nothing twice. A subscription with nothing new gets no email.
- **Unsubscribing** is one click: every email carries `List-Unsubscribe` and
  `List-Unsubscribe-Post` (RFC 8058) with a signed link that needs no login and no CSRF token.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from archive.following import DIGEST_SIZE, Followed, matching_new_turns
from archive.models import AlertFrequency, AlertSubscription

SALT = "archive.alerts"
CONFIRM_MAX_AGE = 7 * 24 * 3600  # seconds a confirmation link works
# How long after the last digest the next one is due: a little less than the period, so that a
# cron job that runs a minute early the next day still sends.
DUE_AFTER = {
    AlertFrequency.DAILY: dt.timedelta(hours=23),
    AlertFrequency.WEEKLY: dt.timedelta(days=6, hours=23),
}


class BadToken(Exception):
    """A link whose token is forged, altered, expired or for a subscription that is gone."""


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def token_for(subscription: AlertSubscription, action: str) -> str:
    return signing.dumps({"id": subscription.pk, "email": subscription.email, "do": action}, salt=SALT)


def manage_token(email: str) -> str:
    return signing.dumps({"email": email, "do": "manage"}, salt=SALT)


def read_token(token: str, action: str, max_age: int | None = None) -> dict[str, object]:
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise BadToken("This link has expired: subscribe again to get a new one.") from None
    except signing.BadSignature:
        raise BadToken("This link is not valid: it may have been cut or altered.") from None
    if not isinstance(data, dict) or data.get("do") != action:
        raise BadToken("This link is not valid: it may have been cut or altered.")
    return data


def subscription_of(token: str, action: str, max_age: int | None = None) -> AlertSubscription:
    data = read_token(token, action, max_age)
    pk, email = data.get("id"), data.get("email")
    if not isinstance(pk, int) or not isinstance(email, str):
        raise BadToken("This link is not valid: it may have been cut or altered.")
    subscription = AlertSubscription.objects.filter(pk=pk, email=email).first()
    if subscription is None:
        raise BadToken("This alert no longer exists: it may have been cancelled already.")
    return subscription


def links(subscription: AlertSubscription) -> dict[str, str]:
    return {
        "confirm": absolute(reverse("alert-confirm", args=[token_for(subscription, "confirm")])),
        "unsubscribe": absolute(reverse("alert-unsubscribe", args=[token_for(subscription, "unsubscribe")])),
        "manage": absolute(reverse("alert-manage", args=[manage_token(subscription.email)])),
    }


def subscribe(email: str, followed: Followed, frequency: str, language: str) -> AlertSubscription:
    """Write (or reuse) the unconfirmed subscription and send its confirmation."""
    email = email.strip()
    with transaction.atomic():
        subscription, _created = AlertSubscription.objects.get_or_create(
            email__iexact=email,
            search=followed.as_dict,
            defaults={"email": email, "frequency": frequency, "language": language},
        )
        if subscription.confirmed_at is None:
            subscription.frequency, subscription.language = frequency, language
            subscription.save(update_fields=["frequency", "language"])
    _send(subscription, "confirm", {"what": followed.describe(), **links(subscription)})
    return subscription


def confirm(subscription: AlertSubscription) -> None:
    """Confirm; what is published from now on is in its digests. Confirming again changes nothing."""
    if subscription.confirmed_at is None:
        now = timezone.now()
        subscription.confirmed_at = now
        subscription.covered_until = now
        subscription.save(update_fields=["confirmed_at", "covered_until"])


def unsubscribe(subscription: AlertSubscription) -> None:
    subscription.delete()


@dataclass
class DigestRun:
    due: int = 0
    sent: int = 0
    turns: int = 0
    empty: int = 0  # due, but nothing new: no email


def due_subscriptions(now: dt.datetime, frequencies: Iterable[str]) -> list[AlertSubscription]:
    due = []
    for subscription in AlertSubscription.objects.exclude(confirmed_at=None).filter(
        frequency__in=frequencies
    ):
        last = subscription.last_sent_at
        if last is None or now - last >= DUE_AFTER[AlertFrequency(subscription.frequency)]:
            due.append(subscription)
    return due


def send_digests(
    *,
    frequencies: Iterable[str] = AlertFrequency.values,
    now: dt.datetime | None = None,
    progress: Callable[[AlertSubscription], None] | None = None,
) -> DigestRun:
    """Send every due digest; each subscription is sent and recorded together."""
    until = now or timezone.now()
    run = DigestRun()
    connection = get_connection()
    with connection:
        for subscription in due_subscriptions(until, frequencies):
            run.due += 1
            sent = _send_digest(subscription, until, connection)
            if sent:
                run.sent += 1
                run.turns += sent
            else:
                run.empty += 1
            if progress is not None:
                progress(subscription)
    return run


def _send_digest(subscription: AlertSubscription, until: dt.datetime, connection: object) -> int:
    followed = Followed.from_mapping(subscription.search)
    with transaction.atomic():
        # Locked: two runs at once must not both send the same digest.
        locked = AlertSubscription.objects.select_for_update().filter(pk=subscription.pk).first()
        if locked is None or locked.covered_until is None or locked.covered_until >= until:
            return 0
        hits, total = matching_new_turns(followed, since=locked.covered_until, until=until, limit=DIGEST_SIZE)
        if hits:
            context = {
                "what": followed.describe(),
                "hits": hits,
                "total": total,
                "more": total - len(hits),
                "search_url": absolute(followed.search_url()),
                "site_url": settings.SITE_URL.rstrip("/"),
                **links(locked),
            }
            _send(locked, "digest", context, connection=connection)
        locked.covered_until = until
        if hits:
            locked.last_sent_at = until
        locked.save(update_fields=["covered_until", "last_sent_at"])
        return len(hits)


def _send(
    subscription: AlertSubscription, template: str, context: dict[str, object], connection: object = None
) -> None:
    """One email in the subscriber's interface language, with the one-click unsubscribe headers."""
    with translation.override(subscription.language):
        subject = render_to_string(f"archive/email/alert_{template}_subject.txt", context).strip()
        body = render_to_string(f"archive/email/alert_{template}.txt", context)
    unsubscribe_url = links(subscription)["unsubscribe"]
    message = EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        to=[subscription.email],
        connection=connection,  # type: ignore[arg-type]
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.send()
