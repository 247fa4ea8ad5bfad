"""Topics in the admin: labels in several languages, parent, counts, search by any label."""

from __future__ import annotations

from django.urls import reverse

from archive.models import Topic
from tests.admin.helpers import CuratorTestCase
from tests.fixtures import PERES_EN, import_document

CHANGELIST = reverse("admin:archive_topic_changelist")


class TopicAdminTests(CuratorTestCase):
    technology: Topic

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        import_document(PERES_EN)  # topics: technology (transcript), education (turn 1)
        cls.technology = Topic.objects.get(slug="technology")

    def test_the_list_counts_transcripts_and_turns(self) -> None:
        response = self.client.get(CHANGELIST)
        counts = {t.slug: (t.transcript_count, t.turn_count) for t in response.context["cl"].result_list}
        self.assertEqual(counts, {"education": (0, 1), "technology": (1, 0)})

    def test_a_curator_edits_labels_in_several_languages_and_the_parent(self) -> None:
        science = Topic.objects.create(slug="science", labels={"en": "Science"})
        url = reverse("admin:archive_topic_change", args=[self.technology.pk])
        response = self.client.post(
            url,
            {
                "slug": "technology",
                "labels": "en: Technology\nzh-Hans: 科技\nhe: טכנולוגיה",
                "parent": science.pk,
            },
        )
        self.assertEqual(response.status_code, 302)
        self.technology.refresh_from_db()
        self.assertEqual(self.technology.labels, {"en": "Technology", "zh-Hans": "科技", "he": "טכנולוגיה"})
        self.assertEqual(self.technology.parent, science)
        self.assertEqual(self.technology.label("zh-Hans"), "科技")

    def test_a_label_without_a_language_is_refused(self) -> None:
        url = reverse("admin:archive_topic_change", args=[self.technology.pk])
        response = self.client.post(url, {"slug": "technology", "labels": "科技"})
        self.assertContains(response, "Line 1: write “tag: text”")
        self.technology.refresh_from_db()
        self.assertEqual(self.technology.labels, {})

    def test_search_finds_a_topic_by_a_label_in_any_script(self) -> None:
        Topic.objects.filter(pk=self.technology.pk).update(labels={"en": "Technology", "zh-Hans": "科技"})
        for term in ("科技", "techno", "TECHNOLOGY"):
            response = self.client.get(CHANGELIST, {"q": term})
            self.assertEqual([t.slug for t in response.context["cl"].result_list], ["technology"], term)
        response = self.client.get(CHANGELIST, {"q": "科学"})
        self.assertEqual(list(response.context["cl"].result_list), [])
