"""A question's answer status: the format, the admin, the pages, the API and the search filter."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.test import TestCase

from archive.importers import import_documents, read_content
from archive.interchange import DocumentError, validate_document
from archive.models import AnswerStatus, Transcript, Turn
from tests.admin.helpers import CuratorTestCase, page_form_data
from tests.api.helpers import ApiTestCase
from tests.fixtures import document, import_document


def with_statuses(**statuses: str) -> dict[str, Any]:
    """The Peres document with answer statuses on its questions, by turn position ("1", "3")."""
    doc = document()
    for position, status in statuses.items():
        doc["turns"][int(position.lstrip("t")) - 1]["answer_status"] = status
    return doc


class AnswerStatusFormatTests(TestCase):
    def test_it_imports_and_exports_the_status_of_a_question(self) -> None:
        import_document(with_statuses(t1="answered", t3="deflected"))
        turns = dict(Turn.objects.values_list("position", "answer_status"))
        self.assertEqual(turns, {1: "answered", 2: "", 3: "deflected", 4: ""})
        out = StringIO()
        call_command("export_transcripts", stdout=out)
        exported = json.loads(out.getvalue())
        self.assertEqual(exported["turns"][2]["answer_status"], "deflected")
        self.assertNotIn("answer_status", exported["turns"][1])

    def test_the_round_trip_with_statuses_is_byte_identical(self) -> None:
        import_document(with_statuses(t1="partly", t3="unanswered"))
        first = StringIO()
        call_command("export_transcripts", stdout=first)
        Transcript.objects.all().delete()
        report = import_documents(read_content(first.getvalue().encode(), "dump.ndjson"))
        self.assertEqual(report.rejected, 0)
        again = StringIO()
        call_command("export_transcripts", stdout=again)
        self.assertEqual(again.getvalue(), first.getvalue())

    def test_it_rejects_an_unknown_status_naming_the_key(self) -> None:
        with self.assertRaises(DocumentError) as caught:
            validate_document(with_statuses(t1="maybe"))
        self.assertEqual(caught.exception.key, "turns[0].answer_status")
        self.assertIn("answered, partly, unanswered", str(caught.exception))

    def test_it_rejects_a_status_on_a_turn_that_is_not_a_question(self) -> None:
        with self.assertRaises(DocumentError) as caught:
            validate_document(with_statuses(t2="answered"))
        self.assertEqual(caught.exception.key, "turns[1].answer_status")


class AnswerStatusAdminTests(CuratorTestCase):
    def test_a_curator_sets_the_status_of_a_question_on_the_transcript_page(self) -> None:
        transcript = import_document(document())
        url = f"/admin/archive/transcript/{transcript.pk}/change/"
        data = page_form_data(self.client.get(url))
        field = next(k for k in data if k.endswith("-0-answer_status"))
        data[field] = AnswerStatus.DEFLECTED
        response = self.client.post(url, data)
        self.assertEqual(
            response.status_code, 302, getattr(response, "context", None) and response.context["errors"]
        )
        self.assertEqual(Turn.objects.get(transcript=transcript, position=1).answer_status, "deflected")

    def test_the_admin_refuses_a_status_on_an_answer(self) -> None:
        transcript = import_document(document())
        url = f"/admin/archive/transcript/{transcript.pk}/change/"
        data = page_form_data(self.client.get(url))
        field = next(k for k in data if k.endswith("-1-answer_status"))
        data[field] = AnswerStatus.ANSWERED
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Only a question has an answer status.")
        self.assertEqual(Turn.objects.get(transcript=transcript, position=2).answer_status, "")

    def test_the_turns_own_admin_page_sets_a_question_status_and_refuses_one_on_an_answer(self) -> None:
        transcript = import_document(document())
        question, answer = Turn.objects.filter(transcript=transcript).order_by("position")[:2]
        url = f"/admin/archive/turn/{question.pk}/change/"
        self.assertEqual(self.client.post(url, {"answer_status": "partly"}).status_code, 302)
        self.assertEqual(Turn.objects.get(pk=question.pk).answer_status, "partly")
        response = self.client.post(f"/admin/archive/turn/{answer.pk}/change/", {"answer_status": "partly"})
        self.assertContains(response, "Only a question has an answer status.")
        listing = self.client.get("/admin/archive/turn/", {"answer_status__exact": "partly"})
        self.assertContains(listing, "1 turn")


class AnswerStatusPageTests(TestCase):
    def test_the_transcript_page_shows_the_status_of_a_question(self) -> None:
        import_document(with_statuses(t3="unanswered"))
        response = self.client.get("/transcripts/peres-weibo-test/")
        self.assertContains(response, 'class="answer-status answer-status--unanswered">Not answered<')


class AnswerStatusApiTests(ApiTestCase):
    def test_the_api_returns_and_filters_turns_by_status(self) -> None:
        import_document(with_statuses(t1="answered", t3="deflected"))
        turns = self.results("/api/v1/turns/", answer_status="deflected")
        self.assertEqual([(t["position"], t["answer_status"]) for t in turns], [(3, "deflected")])

    def test_a_document_posted_with_a_status_keeps_it(self) -> None:
        response = self.curator_client.post("/api/v1/transcripts/", with_statuses(t1="partly"), format="json")
        self.assertEqual(response.status_code, 201, response.content[:500])
        doc = self.client.get("/api/v1/transcripts/peres-weibo-test/").json()
        self.assertEqual(doc["turns"][0]["answer_status"], "partly")
