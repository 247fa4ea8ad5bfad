"""Drafts and transcripts in review: invisible to anonymous clients everywhere (404), visible to curators."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import ApiTestCase, make_user, token_client
from tests.fixtures import document, import_document

SECRET = {
    "slug": "secret-draft",
    "title": "Draft: closed-door briefing",
    "date": "2020-01-01",
    "language": "he",
    "status": "draft",
    "topics": ["embargoed-topic"],
    "speakers": [{"name": "דובר חסוי", "slug": "hidden-speaker"}],
    "turns": [{"speaker": "דובר חסוי", "text": "זה עדיין טיוטה."}],
}


class VisibilityTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        import_document(document())
        import_document(SECRET)
        import_document(document(slug="in-review", status="review", title="Under review"))

    def slugs(self, url: str, client: Any = None, **params: Any) -> set[str]:
        return {str(r.get("slug") or r.get("transcript")) for r in self.results(url, client, **params)}

    def test_anonymous_clients_get_404_for_unpublished_transcripts(self) -> None:
        for slug in ("secret-draft", "in-review"):
            for url in (f"/api/v1/transcripts/{slug}/", f"/api/v1/transcripts/{slug}/turns/"):
                self.assertEqual(self.client.get(url).status_code, 404, url)
            response = self.client.get(f"/api/v1/transcripts/{slug}/", {"format": "ndjson"})
            self.assertEqual(response.status_code, 404)

    def test_lists_hide_them_from_anonymous_clients_whatever_the_filter(self) -> None:
        self.assertEqual(self.slugs("/api/v1/transcripts/"), {"peres-weibo-test"})
        self.assertEqual(self.slugs("/api/v1/transcripts/", status="draft"), set())
        self.assertEqual(self.slugs("/api/v1/turns/"), {"peres-weibo-test"})
        self.assertEqual(self.slugs("/api/v1/turns/", transcript="secret-draft"), set())

    def test_people_and_topics_only_drafts_mention_stay_hidden(self) -> None:
        self.assertNotIn("hidden-speaker", self.slugs("/api/v1/speakers/"))
        self.assertEqual(self.client.get("/api/v1/speakers/hidden-speaker/").status_code, 404)
        self.assertEqual(self.slugs("/api/v1/speakers/", transcript="in-review"), set())
        self.assertNotIn("embargoed-topic", self.slugs("/api/v1/topics/"))
        self.assertEqual(self.client.get("/api/v1/topics/embargoed-topic/").status_code, 404)
        # Counts leave out what the client may not see.
        peres = self.client.get("/api/v1/speakers/shimon-peres/").json()
        self.assertEqual(peres["transcript_count"], 1)

    def test_curators_see_everything(self) -> None:
        client = self.curator_client
        self.assertEqual(
            self.slugs("/api/v1/transcripts/", client), {"peres-weibo-test", "secret-draft", "in-review"}
        )
        self.assertEqual(self.slugs("/api/v1/transcripts/", client, status="draft"), {"secret-draft"})
        body = client.get("/api/v1/transcripts/secret-draft/").json()
        self.assertEqual(body["status"], "draft")
        self.assertEqual(client.get("/api/v1/speakers/hidden-speaker/").json()["turn_count"], 1)
        self.assertIn("embargoed-topic", self.slugs("/api/v1/topics/", client))
        self.assertEqual(client.get("/api/v1/speakers/shimon-peres/").json()["transcript_count"], 2)

    def test_the_view_permission_alone_is_enough_to_read_drafts(self) -> None:
        reader = token_client(make_user("reviewer", "view_transcript"))
        self.assertEqual(reader.get("/api/v1/transcripts/secret-draft/").status_code, 200)
        self.assertEqual(
            reader.patch(
                "/api/v1/transcripts/secret-draft/", {"status": "published"}, format="json"
            ).status_code,
            403,
        )

    def test_a_signed_in_user_without_permissions_sees_what_anonymous_clients_see(self) -> None:
        plain = token_client(make_user("plain"))
        self.assertEqual(plain.get("/api/v1/transcripts/secret-draft/").status_code, 404)
        self.assertEqual(self.slugs("/api/v1/transcripts/", plain), {"peres-weibo-test"})
