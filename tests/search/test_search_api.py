"""GET /api/v1/search/: its JSON, 400 for bad input, never 500."""

from __future__ import annotations

import csv
import io
from typing import Any

import yaml
from django.test import TestCase

from tests.fixtures import BRIEFING_EN, MFA_EN, MFA_ZH, PERES_EN, PERES_ZH, doc, import_document
from tests.search.helpers import temp_search_index

URL = "/api/v1/search/"


class SearchApiTests(TestCase):
    def setUp(self) -> None:
        self.enterContext(temp_search_index())
        with self.captureOnCommitCallbacks(execute=True):
            for data in (BRIEFING_EN, MFA_ZH, MFA_EN):
                import_document(data)

    def get(self, **params: Any) -> Any:
        return self.client.get(URL, params)

    def test_it_answers_with_the_documented_shape(self) -> None:
        response = self.get(q="tariffs steel")
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertEqual(
            set(data),
            {
                "count",
                "page",
                "page_size",
                "results",
                "facets",
                "facets_approximate",
                "suggestion",
                "corrected",
                "widened",
                "notice",
            },
        )
        self.assertEqual((data["count"], data["page"], data["page_size"]), (1, 1, 20))
        result = data["results"][0]
        self.assertEqual(
            result["transcript"],
            {
                "slug": "briefing-en",
                "title": "Press briefing on trade",
                "date": "2023-05-02",
                "language": "en",
            },
        )
        self.assertEqual(
            result["turn"],
            {
                "position": 3,
                "speaker": "Reporter",
                "speaker_slug": "reporter",
                "kind": "question",
                "answer_status": None,
                "language": "en",
                "text": "What about the tariffs on steel?",
            },
        )
        self.assertEqual(result["highlight"], "What about the <mark>tariffs</mark> on <mark>steel</mark>?")
        self.assertEqual(result["answer"]["position"], 4)
        self.assertIsNone(result["question"])
        self.assertEqual(result["translations"], [])
        self.assertIsInstance(result["score"], float)
        self.assertEqual(set(data["facets"]), {"speaker", "topic", "language", "kind", "year", "answered"})
        self.assertEqual(data["facets"]["kind"], [{"value": "question", "label": "Question", "count": 1}])

    def test_results_come_as_csv_one_row_per_hit(self) -> None:
        response = self.get(q="tariffs steel", format="csv")
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        self.assertEqual(len(rows), 1)
        self.assertEqual((rows[0]["transcript"], rows[0]["position"]), ("briefing-en", "3"))
        self.assertEqual(rows[0]["text"], "What about the tariffs on steel?")

    def test_the_schema_documents_its_parameters_and_formats(self) -> None:
        schema = self.client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
        operation = schema["paths"]["/api/v1/search/"]["get"]
        names = {p["name"] for p in operation["parameters"]}
        self.assertLessEqual({"q", "language", "speaker", "topic", "kind", "date_from", "sort"}, names)
        self.assertEqual(set(operation["responses"]["200"]["content"]), {"application/json", "text/csv"})
        self.assertIn("400", operation["responses"])

    def test_a_speaker_is_named_in_the_language_of_the_turn(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            import_document(PERES_EN)  # creates Shimon Peres, with his Chinese name
            import_document(PERES_ZH)
        result = self.get(q="学习", language="zh-Hans").json()["results"][0]
        self.assertEqual(result["turn"]["speaker_slug"], "shimon-peres")
        self.assertEqual(result["turn"]["speaker"], "西蒙·佩雷斯")
        english = self.get(q="learning", language="en").json()["results"][0]
        self.assertEqual(english["turn"]["speaker"], "Shimon Peres")

    def test_cross_language_results_carry_their_translations(self) -> None:
        data = self.get(q="strengthen cooperation", language="zh-Hans").json()
        self.assertEqual(data["count"], 1)
        result = data["results"][0]
        self.assertEqual(result["transcript"]["slug"], "mfa-zh")
        self.assertEqual(
            result["translations"],
            [
                {
                    "transcript": "mfa-en",
                    "position": 2,
                    "language": "en",
                    "text": "We are ready to strengthen economic cooperation for mutual benefit.",
                }
            ],
        )

    def test_markup_in_a_turn_comes_back_escaped(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            import_document(doc("xss", "en", [("A", "statement", "<img src=x onerror=alert(1)> sanctions")]))
        result = self.get(q="sanctions").json()["results"][0]
        self.assertEqual(result["highlight"], "&lt;img src=x onerror=alert(1)&gt; <mark>sanctions</mark>")

    def test_refused_and_invalid_queries_get_a_400_with_a_message(self) -> None:
        cases: list[dict[str, Any]] = [
            {"q": "(" * 1000 + "x" + ")" * 1000},
            {"q": "*ation"},
            {"q": "ta*"},
            {"q": "x" * 5000},
            {"q": "x", "page_size": "101"},
            {"q": "x", "page": "0"},
            {"q": "x", "sort": "random"},
            {"q": "x", "kind": "speech"},
            {"q": "x", "date_from": "2024-13-45"},
            {"q": "x", "speaker": "a\x00b"},
        ]
        for params in cases:
            response = self.get(**params)
            self.assertEqual(response.status_code, 400, str(params)[:60])
            self.assertIn("detail", response.json())

    def test_odd_but_harmless_input_gets_a_200(self) -> None:
        for q in ["tariffs\x01steel", '"unclosed', "((tariffs", "-", "OR", "🙂", "", "ｔａｒｉｆｆｓ"]:
            response = self.get(q=q)
            self.assertEqual(response.status_code, 200, repr(q))
        # A NUL byte is refused before the search sees it (config/bad_input.py), as in every parameter.
        self.assertEqual(self.get(q="tariffs\x00steel").status_code, 400)
        self.assertIn("quote", self.get(q='"unclosed').json()["notice"])

    def test_filters_sort_and_pages(self) -> None:
        data = self.get(q="", language="en", kind="answer", sort="-date", page_size=1, page=2).json()
        self.assertEqual(data["count"], 3)
        self.assertEqual(len(data["results"]), 1)
        self.assertEqual(data["page"], 2)
        self.assertEqual(self.get(q="", date_from="2026-01-01").json()["count"], 4)

    def test_a_misspelling_gets_a_suggestion(self) -> None:
        self.assertEqual(self.get(q="tarifs").json()["suggestion"], "tariffs")  # as written in the archive


class SearchApiSchemaTests(TestCase):
    def test_the_schema_documents_what_was_corrected_and_how_to_turn_it_off(self) -> None:
        response = self.client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")
        schema = yaml.safe_load(response.content)
        page = schema["components"]["schemas"]["SearchPage"]["properties"]
        corrected = page["corrected"]
        ref = corrected.get("$ref") or next(p["$ref"] for p in corrected["allOf"] if "$ref" in p)
        out = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
        self.assertEqual(set(out["properties"]), {"from", "to"})
        self.assertIn("typo", corrected.get("description", "") + str(corrected))
        parameters = schema["paths"]["/api/v1/search/"]["get"]["parameters"]
        self.assertIn("typos", [p["name"] for p in parameters])
