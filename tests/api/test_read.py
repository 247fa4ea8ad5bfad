"""The read API: transcripts as qa-archive/1 documents, lists with filters, paging and stable order."""

from __future__ import annotations

from django.test import override_settings

from archive.exporters.qa_archive import transcript_document
from archive.selectors import transcripts_for_export
from tests.api.helpers import ApiTestCase
from tests.fixtures import PERES_ZH, document, import_document

SPANISH = {
    "slug": "mananera-prueba",
    "title": "Conferencia de prensa matutina",
    "date": "2019-05-12",
    "language": "es-MX",
    "topics": ["seguridad"],
    "speakers": [
        {"name": "Andrés Manuel López Obrador", "slug": "amlo", "role": "Presidente"},
        {"name": "Interlocutora"},
    ],
    "turns": [
        {"speaker": "Interlocutora", "kind": "question", "text": "¿Qué pasará con la Guardia Nacional?"},
        {"speaker": "Andrés Manuel López Obrador", "kind": "answer", "text": "Vamos a garantizar la paz."},
        {"speaker": "Interlocutora", "kind": "statement", "text": "Thank you, señor.", "language": "en"},
    ],
}


class TranscriptReadTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        import_document(document())
        import_document(PERES_ZH)
        import_document(SPANISH)

    def test_a_transcript_is_its_qa_archive_document_plus_links(self) -> None:
        response = self.client.get("/api/v1/transcripts/peres-weibo-test/")
        self.assertEqual(response.status_code, 200)
        body = response.json()
        url = body.pop("url")
        self.assertEqual(url, "http://testserver/api/v1/transcripts/peres-weibo-test/")
        body.pop("html_url")
        expected = transcript_document(transcripts_for_export(slugs=["peres-weibo-test"]).get())
        self.assertEqual(body, expected)
        self.assertEqual(list(body), list(expected))  # same key order as the export

    def test_the_document_keeps_scripts_intact(self) -> None:
        body = self.client.get("/api/v1/transcripts/peres-weibo-test-zh/").json()
        self.assertEqual(body["title"], "佩雷斯回答微博网友提问")
        self.assertEqual(body["translation_of"], "peres-weibo-test")
        self.assertEqual(body["turns"][0]["original"], 1)

    def test_an_unknown_slug_is_404(self) -> None:
        self.assertEqual(self.client.get("/api/v1/transcripts/nothing-here/").status_code, 404)

    def test_the_list_gives_summaries_newest_first(self) -> None:
        results = self.results("/api/v1/transcripts/")
        self.assertEqual(
            [r["slug"] for r in results], ["mananera-prueba", "peres-weibo-test", "peres-weibo-test-zh"]
        )
        first = results[1]
        self.assertEqual(first["turn_count"], 4)
        self.assertEqual(
            first["speakers"][0],
            {"slug": "shimon-peres", "name": "Shimon Peres", "role": "President of Israel"},
        )
        self.assertEqual(first["turns_url"], "http://testserver/api/v1/transcripts/peres-weibo-test/turns/")
        self.assertNotIn("turns", first)

    def test_transcripts_filter_by_language_and_its_subtags(self) -> None:
        self.assertEqual(
            [r["slug"] for r in self.results("/api/v1/transcripts/", language="zh")], ["peres-weibo-test-zh"]
        )
        self.assertEqual(
            [r["slug"] for r in self.results("/api/v1/transcripts/", language="ES")], ["mananera-prueba"]
        )
        self.assertEqual(self.results("/api/v1/transcripts/", language="zh-Hant"), [])

    def test_transcripts_filter_by_speaker_topic_and_dates(self) -> None:
        slugs = [r["slug"] for r in self.results("/api/v1/transcripts/", speaker="amlo")]
        self.assertEqual(slugs, ["mananera-prueba"])
        self.assertEqual(
            [r["slug"] for r in self.results("/api/v1/transcripts/", topic="technology")],
            ["peres-weibo-test"],
        )
        slugs = [
            r["slug"]
            for r in self.results("/api/v1/transcripts/", date_from="2014-01-01", date_to="2014-12-31")
        ]
        self.assertEqual(sorted(slugs), ["peres-weibo-test", "peres-weibo-test-zh"])
        self.assertEqual(self.client.get("/api/v1/transcripts/", {"date_from": "yesterday"}).status_code, 400)

    def test_q_finds_words_in_titles_and_in_turns(self) -> None:
        self.assertEqual(
            [r["slug"] for r in self.results("/api/v1/transcripts/", q="Guardia Nacional")],
            ["mananera-prueba"],
        )
        self.assertEqual(
            [r["slug"] for r in self.results("/api/v1/transcripts/", q="微博")], ["peres-weibo-test-zh"]
        )

    def test_ordering_can_be_chosen_and_ends_on_the_slug(self) -> None:
        slugs = [r["slug"] for r in self.results("/api/v1/transcripts/", ordering="date")]
        self.assertEqual(slugs, ["peres-weibo-test", "peres-weibo-test-zh", "mananera-prueba"])
        slugs = [r["slug"] for r in self.results("/api/v1/transcripts/", ordering="-title")]
        self.assertEqual(slugs[0], "peres-weibo-test-zh")

    def test_an_empty_or_malformed_ordering_is_a_400_on_every_list_never_a_500(self) -> None:
        lists = [
            "/api/v1/transcripts/",
            "/api/v1/transcripts/peres-weibo-test/turns/",
            "/api/v1/turns/",
            "/api/v1/speakers/",
            "/api/v1/topics/",
            "/api/v1/search/?q=peres",
        ]
        for url in lists:
            for ordering in [",", ",,", "date,", ",-title", "-", "--date", " ", "", "nope"]:
                with self.subTest(url=url, ordering=ordering):
                    response = self.client.get(url, {"ordering": ordering})
                    self.assertIn(response.status_code, {200, 400}, response.content[:300])
        for ordering in [",", ",,", "date,", ",-title", "-", "--date", " ", ""]:
            with self.subTest(ordering=ordering):
                response = self.client.get("/api/v1/transcripts/", {"ordering": ordering})
                self.assertEqual(response.status_code, 400, response.content[:300])
                self.assertIn("ordering", response.json()["detail"])

    def test_pages_are_capped_and_walk_every_transcript_once(self) -> None:
        seen: list[str] = []
        url: str | None = "/api/v1/transcripts/?page_size=1"
        while url:
            body = self.client.get(url).json()
            self.assertLessEqual(len(body["results"]), 1)
            seen += [r["slug"] for r in body["results"]]
            url = body["next"]
        self.assertEqual(len(seen), 3)
        self.assertEqual(len(set(seen)), 3)
        with override_settings(API_MAX_PAGE_SIZE=2):
            self.assertEqual(len(self.results("/api/v1/transcripts/", page_size=1000)), 2)
        self.assertEqual(self.client.get("/api/v1/transcripts/", {"page": 99}).status_code, 404)


class TurnReadTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        import_document(document())
        import_document(PERES_ZH)
        import_document(SPANISH)

    def test_a_transcripts_turns_come_in_spoken_order(self) -> None:
        turns = self.results("/api/v1/transcripts/peres-weibo-test/turns/")
        self.assertEqual([t["position"] for t in turns], [1, 2, 3, 4])
        self.assertEqual(turns[1]["reply_to"], 1)
        self.assertEqual(turns[1]["speaker"], "shimon-peres")
        self.assertEqual(turns[1]["start"], 61.0)
        self.assertEqual(turns[0]["topics"], ["education"])

    def test_a_turn_is_named_as_its_transcript_names_the_speaker(self) -> None:
        turns = self.results("/api/v1/transcripts/peres-weibo-test-zh/turns/")
        self.assertEqual(turns[1]["speaker"], "shimon-peres")  # one person across transcripts
        self.assertEqual(turns[1]["speaker_name"], "西蒙·佩雷斯")
        self.assertEqual(turns[1]["language"], "zh-Hans")

    def test_turns_of_an_unknown_transcript_are_404(self) -> None:
        self.assertEqual(self.client.get("/api/v1/transcripts/nope/turns/").status_code, 404)

    def test_turns_filter_by_kind_speaker_language_topic_and_transcript(self) -> None:
        answers = self.results("/api/v1/turns/", kind="answer", speaker="shimon-peres")
        self.assertEqual(
            [(t["transcript"], t["position"]) for t in answers],
            [("peres-weibo-test", 2), ("peres-weibo-test", 4), ("peres-weibo-test-zh", 2)],
        )
        # A turn in English inside a Spanish transcript counts as English, the others as Spanish.
        english = self.results("/api/v1/turns/", language="en", transcript="mananera-prueba")
        self.assertEqual([t["text"] for t in english], ["Thank you, señor."])
        self.assertEqual(len(self.results("/api/v1/turns/", language="es")), 2)
        # A topic matches turns tagged with it and turns of transcripts tagged with it.
        self.assertEqual([t["position"] for t in self.results("/api/v1/turns/", topic="education")], [1])
        self.assertEqual(len(self.results("/api/v1/turns/", topic="seguridad")), 3)
        self.assertEqual(self.client.get("/api/v1/turns/", {"kind": "shout"}).status_code, 400)

    def test_all_turns_page_in_a_stable_order(self) -> None:
        body = self.client.get("/api/v1/turns/", {"page_size": 4}).json()
        self.assertEqual(body["count"], 9)
        again = self.client.get("/api/v1/turns/", {"page_size": 4}).json()
        self.assertEqual(body["results"], again["results"])
        keys = [(t["transcript"], t["position"]) for t in self.results("/api/v1/turns/", page_size=100)]
        self.assertEqual(keys, sorted(keys))


class SpeakerAndTopicReadTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        import_document(document())
        import_document(PERES_ZH)
        import_document(SPANISH)

    def test_a_speaker_has_names_in_every_script_and_counts(self) -> None:
        body = self.client.get("/api/v1/speakers/shimon-peres/").json()
        self.assertEqual(body["names"]["he"], "שמעון פרס")
        self.assertIn("Peres", body["aliases"])
        self.assertEqual(body["transcript_count"], 2)
        self.assertEqual(body["turn_count"], 3)

    def test_speakers_are_found_by_any_of_their_names(self) -> None:
        self.assertEqual([s["slug"] for s in self.results("/api/v1/speakers/", q="שמעון")], ["shimon-peres"])
        self.assertEqual([s["slug"] for s in self.results("/api/v1/speakers/", q="lópez obrador")], ["amlo"])
        names = {s["slug"] for s in self.results("/api/v1/speakers/", transcript="peres-weibo-test-zh")}
        self.assertEqual(len(names), 2)
        self.assertIn("shimon-peres", names)

    def test_topics_list_with_labels_and_counts(self) -> None:
        topics = {t["slug"]: t for t in self.results("/api/v1/topics/")}
        self.assertEqual(set(topics), {"education", "seguridad", "technology"})
        self.assertEqual(topics["technology"]["transcript_count"], 1)
        self.assertEqual(topics["education"]["transcript_count"], 0)
        self.assertEqual(self.client.get("/api/v1/topics/technology/").json()["label"], "technology")
        self.assertEqual(self.client.get("/api/v1/topics/nope/").status_code, 404)
