"""Following: feeds of any search, speaker, topic or language; email alerts through a real SMTP
server (aiosmtpd); readers' corrections through the curators' queue to the page and the index."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

import feedparser
from aiosmtpd.controller import Controller
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from archive.models import AlertSubscription, Correction, CorrectionStatus, Transcript, Turn
from archive.search import SearchParameters, search_turns
from tests.fixtures import BRIEFING_EN, MANANERA_ES, doc
from tests.search.backend_mixin import BackendFixtures
from tests.search.helpers import WHOOSH


class Inbox:
    """An SMTP server's handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


@contextmanager
def smtp_server() -> Iterator[Inbox]:
    """A real SMTP server on a free local port, and Django's SMTP backend sending to it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            SITE_URL="https://archive.example",
        ):
            yield inbox
    finally:
        controller.stop()


def body_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def link_in(message: EmailMessage, path: str) -> str:
    """The path of the first link in the message under `path` (the site's address cut off)."""
    found = re.search(r"https://archive\.example(" + re.escape(path) + r"\S*)", body_of(message))
    assert found, body_of(message)
    return found.group(1)


HOUSING_EN = doc(
    "housing-en",
    "en",
    [
        ("Reporter", "question", "When will the housing plan reach the cities?"),
        ("Press Secretary", "answer", "The housing plan starts in twelve cities next spring."),
    ],
    title="Press briefing on housing",
    date="2019-03-01",  # an old sitting, published in the archive today
)


class FollowFixtures(BackendFixtures):
    backend_path = WHOOSH

    def publish_at(self, slug: str, when: dt.datetime) -> None:
        Transcript.objects.filter(slug=slug).update(published_at=when)


class FeedTests(FollowFixtures, TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.load(BRIEFING_EN, MANANERA_ES)
        now = timezone.now()
        self.publish_at("briefing-en", now - dt.timedelta(days=2))
        self.publish_at("mananera-es", now - dt.timedelta(days=1))

    def feed(self, path: str, **headers: Any) -> Any:
        response = self.client.get(path, **headers)
        self.assertEqual(response.status_code, 200, path)
        self.assertEqual(response["Content-Type"], "application/atom+xml; charset=utf-8")
        parsed = feedparser.parse(response.content)
        self.assertFalse(parsed.bozo, f"{path}: {parsed.get('bozo_exception')}")
        return parsed, response

    def test_a_search_feed_lists_matching_turns_with_author_language_and_permalink(self) -> None:
        parsed, response = self.feed("/feeds/search/?q=tariffs")
        self.assertEqual(len(parsed.entries), 2)
        entry = parsed.entries[0]
        self.assertEqual(entry.author, "Reporter")
        self.assertTrue(entry.link.endswith("/transcripts/briefing-en/#turn-3"), entry.link)
        self.assertEqual(entry.summary, "What about the tariffs on steel?")
        self.assertIn('<entry xml:lang="en">', response.content.decode())
        self.assertIn("tariffs", parsed.feed.title)

    def test_speaker_topic_and_language_feeds(self) -> None:
        parsed, _ = self.feed("/feeds/speakers/press-secretary/")
        self.assertEqual({e.author for e in parsed.entries}, {"Press Secretary"})
        parsed, _ = self.feed("/feeds/topics/trade/")
        self.assertEqual(len(parsed.entries), 4)
        parsed, response = self.feed("/feeds/languages/es/")
        self.assertEqual([e.author for e in parsed.entries], ["Reportera", "Presidente"])
        self.assertIn('<entry xml:lang="es">', response.content.decode())

    def test_the_newest_publication_comes_first_whatever_the_sittings_date(self) -> None:
        self.load(HOUSING_EN)  # a 2019 sitting, published now: the newest publication
        parsed, _ = self.feed("/feeds/search/")
        self.assertTrue(parsed.entries[0].link.endswith("/transcripts/housing-en/#turn-1"))
        self.assertTrue(parsed.entries[2].link.endswith("/transcripts/mananera-es/#turn-1"))

    def test_a_poll_while_nothing_changed_is_a_304_and_a_publication_changes_the_etag(self) -> None:
        _, first = self.feed("/feeds/search/?q=plan")
        etag = first["ETag"]
        again = self.client.get("/feeds/search/?q=plan", HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(again.status_code, 304)
        self.load(HOUSING_EN)
        after = self.client.get("/feeds/search/?q=plan", HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(after.status_code, 200)
        self.assertNotEqual(after["ETag"], etag)
        links = [entry.link for entry in feedparser.parse(after.content).entries]
        self.assertTrue(links[0].endswith("/housing-en/#turn-1") and links[1].endswith("/housing-en/#turn-2"))

    def test_a_search_that_cannot_run_has_no_feed(self) -> None:
        self.assertEqual(self.client.get("/feeds/search/?q=a*").status_code, 404)

    def test_pages_link_their_feed_and_offer_to_follow(self) -> None:
        for path, feed in (
            ("/search/?q=tariffs", "/feeds/search/?q=tariffs"),
            ("/speakers/press-secretary/", "/feeds/search/?speaker=press-secretary"),
            ("/topics/trade/", "/feeds/search/?topic=trade"),
        ):
            content = self.client.get(path).content.decode()
            self.assertIn('<link rel="alternate" type="application/atom+xml"', content, path)
            self.assertIn(f'href="{feed}"', content, path)
            self.assertIn('class="follow"', content, path)


class AlertTests(FollowFixtures, TestCase):
    def subscribe(self, address: str = "reader@example.org", **params: str) -> Any:
        return self.client.post("/alerts/", {"email": address, "frequency": "daily", **params})

    def test_subscribe_confirm_digest_once_and_one_click_unsubscribe(self) -> None:
        with smtp_server() as inbox:
            response = self.subscribe(q="housing")
            self.assertContains(response, "Check your inbox")
            # Nothing but the confirmation before confirming.
            [confirmation] = inbox.to("reader@example.org")
            self.assertIn("housing", confirmation["Subject"])
            self.assertIn("List-Unsubscribe", confirmation)
            call_command("send_alerts", "--no-progress", stdout=None)
            self.assertEqual(len(inbox.to("reader@example.org")), 1)

            self.assertContains(self.client.get(link_in(confirmation, "/alerts/confirm/")), "Alert confirmed")
            self.load(HOUSING_EN, BRIEFING_EN)  # published after the confirmation; only one matches
            call_command("send_alerts", "--no-progress")
            call_command("send_alerts", "--no-progress")  # run twice: nothing is sent twice
            digests = inbox.to("reader@example.org")[1:]
            self.assertEqual(len(digests), 1)
            [digest] = digests
            text = body_of(digest)
            self.assertIn("The housing plan starts in twelve cities next spring.", text)
            self.assertIn("https://archive.example/transcripts/housing-en/#turn-2", text)
            self.assertNotIn("tariffs", text)
            self.assertEqual(digest["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")

            # RFC 8058: the mail client POSTs to the List-Unsubscribe address, no cookie, no token.
            url = re.search(r"<https://archive\.example(\S+)>", digest["List-Unsubscribe"])
            assert url is not None
            gone = self.client.post(
                url.group(1), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
            )
            self.assertEqual(gone.status_code, 200)
            self.assertFalse(AlertSubscription.objects.exists())

    def test_a_killed_run_sends_the_rest_and_nothing_twice(self) -> None:
        with smtp_server() as inbox:
            for address in ("a@example.org", "b@example.org"):
                self.subscribe(address, q="housing")
            for message in list(inbox.messages):
                self.client.get(link_in(message, "/alerts/confirm/"))
            self.load(HOUSING_EN)
            # A run that stopped after the first subscription: its digest was sent and recorded.
            from archive.alerts import _send_digest, due_subscriptions

            now = timezone.now()
            first = due_subscriptions(now, ["daily"])[0]
            _send_digest(first, now, None)
            call_command("send_alerts", "--no-progress")
            digests = [m for m in inbox.messages if "housing" in body_of(m) and "twelve" in body_of(m)]
            self.assertEqual(sorted(str(m["To"]) for m in digests), ["a@example.org", "b@example.org"])

    def test_the_answer_never_tells_whether_an_address_is_subscribed(self) -> None:
        with smtp_server() as inbox:
            first = self.subscribe(q="housing")
            second = self.subscribe(q="housing")
            self.assertEqual(first.status_code, second.status_code)
            # The same page both times (but for the CSRF token, masked anew on every page).
            token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
            self.assertEqual(token.sub("", first.content.decode()), token.sub("", second.content.decode()))
            self.assertEqual(AlertSubscription.objects.count(), 1)  # nothing written twice
            self.assertEqual(len(inbox.messages), 2)  # a confirmation each time

    def test_bad_addresses_forged_links_and_searches_that_cannot_run(self) -> None:
        with smtp_server() as inbox:
            self.assertContains(self.subscribe("not an address", q="housing"), "valid email", status_code=400)
            self.assertContains(
                self.subscribe("x@mailinator.com", q="housing"), "disposable", status_code=400
            )
            self.assertContains(self.subscribe(q="a*"), "cannot be followed", status_code=400)
            robot = self.client.post("/alerts/", {"email": "r@example.org", "q": "housing", "website": "x"})
            self.assertEqual(robot.status_code, 200)
            self.assertEqual(inbox.messages, [])
            self.assertFalse(AlertSubscription.objects.exists())
            self.subscribe(q="housing")
            token = link_in(inbox.messages[0], "/alerts/confirm/").split("/")[-2]
            forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
            self.assertContains(self.client.get(f"/alerts/confirm/{forged}/"), "not valid", status_code=400)
            self.assertIsNone(AlertSubscription.objects.get().confirmed_at)
            with override_settings(SECRET_KEY="another-key-entirely"):
                self.assertContains(
                    self.client.get(f"/alerts/confirm/{token}/"), "not valid", status_code=400
                )
            from archive import alerts

            with self.assertRaisesMessage(alerts.BadToken, "expired"):
                alerts.subscription_of(token, "confirm", max_age=-1)

    def test_a_flood_of_subscriptions_is_refused(self) -> None:
        with smtp_server() as inbox:
            statuses = [self.subscribe("flood@example.org", q=f"word{n}").status_code for n in range(7)]
            self.assertEqual(statuses[:5], [200] * 5)
            self.assertEqual(statuses[5:], [429, 429])
            self.assertEqual(len(inbox.messages), 5)


class CorrectionTests(FollowFixtures, TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.load(BRIEFING_EN)
        self.turn = Turn.objects.get(transcript__slug="briefing-en", position=2)
        self.curator = User.objects.create_superuser("curator", "c@example.org", "pw")

    def propose(self, **data: str) -> Any:
        return self.client.post("/transcripts/briefing-en/turns/2/correct/", data)

    def test_a_correction_travels_from_the_form_through_the_queue_to_the_page_and_the_index(self) -> None:
        page = self.client.get("/transcripts/briefing-en/").content.decode()
        self.assertIn('href="/transcripts/briefing-en/turns/2/correct/"', page)
        fixed = "We announced new sanctions on four companies this morning."
        with smtp_server() as inbox:
            response = self.propose(text=fixed, note="Four, per the transcript", email="r@example.org")
            self.assertContains(response, "queue")
            correction = Correction.objects.get()
            self.client.force_login(self.curator)
            queue = self.client.get(f"/admin/archive/correction/{correction.pk}/change/").content.decode()
            self.assertIn("<del>three</del>", queue)
            self.assertIn("<ins>four</ins>", queue)
            with self.captureOnCommitCallbacks(execute=True):
                self.client.post(
                    "/admin/archive/correction/",
                    {"action": "accept", "_selected_action": [correction.pk]},
                )
            correction.refresh_from_db()
            self.assertEqual(correction.status, CorrectionStatus.ACCEPTED)
            self.assertEqual(correction.decided_by, self.curator)
            self.client.logout()
            self.assertIn("four companies", self.client.get("/transcripts/briefing-en/").content.decode())
            hits = [
                (h.transcript.slug, h.turn.position)
                for h in search_turns(SearchParameters(q="four companies")).results
            ]
            self.assertIn(("briefing-en", 2), hits)
            [told] = inbox.to("r@example.org")
            self.assertIn("accepted", told["Subject"])

    def test_a_rejection_keeps_the_text_and_tells_the_reason(self) -> None:
        with smtp_server() as inbox:
            self.propose(text="Something else entirely.", email="r@example.org")
            correction = Correction.objects.get()
            correction.reason = "The recording says three."
            correction.save()
            from archive.corrections import correction_reject

            correction_reject(correction, reason=correction.reason, curator=self.curator)
            self.turn.refresh_from_db()
            self.assertIn("three companies", self.turn.text)
            self.assertIn("The recording says three.", body_of(inbox.to("r@example.org")[0]))

    def test_spam_and_empty_proposals_are_refused(self) -> None:
        self.assertContains(self.propose(text=self.turn.text), "Nothing to correct", status_code=400)
        self.assertContains(self.propose(text="x" * 20_001), "too long", status_code=400)
        self.assertContains(self.propose(text="Other words.", email="nope"), "valid email", status_code=400)
        self.assertEqual(self.propose(text="Other words.", website="http://spam").status_code, 200)
        self.assertFalse(Correction.objects.exists())
        statuses = [self.propose(text=f"Other words {n}.").status_code for n in range(11)]
        self.assertEqual(statuses[-1], 429)
        self.assertEqual(Correction.objects.count(), 10)
        self.assertEqual(self.client.get("/transcripts/briefing-en/turns/99/correct/").status_code, 404)
