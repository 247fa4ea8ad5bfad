"""`load_demo`: what `make run` puts in a fresh archive."""

from __future__ import annotations

from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase, override_settings

from archive.models import Speaker, Topic, Transcript


def load_demo(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


class LoadDemoTests(TestCase):
    def test_it_loads_the_peres_weibo_session_with_its_translations(self) -> None:
        load_demo()
        original = Transcript.objects.get(slug="peres-weibo-2014-04-10")
        translations = {t.language: t for t in original.translations.all()}
        self.assertEqual(sorted(translations), ["he", "zh-Hans"])
        self.assertEqual(translations["he"].turns.count(), original.turns.count())
        aligned = translations["zh-Hans"].turns.get(position=4)
        self.assertEqual(aligned.text, "犹太人智慧的秘诀是什么？")
        self.assertEqual(aligned.original_turn(), original.turns.get(position=4))
        self.assertEqual(Speaker.objects.get(slug="weibo-user").name, "Weibo user")
        peres = Speaker.objects.get(slug="shimon-peres")
        self.assertEqual(peres.turns.count(), 3 * 5)

    def test_it_loads_the_white_house_briefings_as_published(self) -> None:
        load_demo()
        briefing = Transcript.objects.get(date="2024-01-27")
        self.assertIn("Wang Yi", briefing.title)
        self.assertEqual(briefing.language, "en")
        self.assertIn("Public domain", briefing.license)
        self.assertTrue(briefing.turns.filter(kind="question").exists())
        self.assertEqual(Transcript.objects.filter(source_url__contains="whitehouse").count(), 3)

    def test_topics_get_labels_in_every_interface_language(self) -> None:
        load_demo()
        topic = Topic.objects.get(slug="education")
        self.assertEqual(topic.label("zh-Hans"), "教育与学习")
        self.assertEqual(topic.label("ar"), "التعليم والتعلم")

    def test_a_second_run_leaves_the_archive_as_it_is(self) -> None:
        load_demo()
        Transcript.objects.filter(slug="peres-weibo-2014-04-10").update(title="Edited by a curator")
        self.assertIn("already loaded", load_demo())
        self.assertEqual(Transcript.objects.get(slug="peres-weibo-2014-04-10").title, "Edited by a curator")

    @override_settings(DEBUG=True)
    def test_in_debug_it_creates_a_demo_login_once(self) -> None:
        self.assertIn("created the superuser 'admin'", load_demo())
        self.assertNotIn("created the superuser", load_demo())
        self.assertTrue(get_user_model().objects.get(username="admin").check_password("admin"))

    @override_settings(DEBUG=False)
    def test_without_debug_it_creates_no_login(self) -> None:
        load_demo()
        self.assertFalse(get_user_model().objects.exists())
