"""Every kind of public page passes axe-core's WCAG 2.0 and 2.1 A and AA rules, in a real Chromium,
in English and in a right-to-left language."""

from __future__ import annotations

from archive.models import Speaker, Topic, Transcript
from archive.search import indexer
from tests.browser import BrowserTestCase
from tests.fixtures import build_archive


class EveryPageKindTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        build_archive()
        indexer.rebuild()

    def page_kinds(self) -> list[str]:
        original = Transcript.objects.published().exclude(translations=None).first()
        assert original is not None
        url = original.get_absolute_url()
        translation = original.translations.first()
        assert translation is not None
        speaker = Speaker.objects.filter(kind="person", turns__isnull=False).first()
        topic = Topic.objects.first()
        assert speaker is not None and topic is not None
        return [
            "/",
            "/search/",
            "/search/?q=restraint",
            "/transcripts/",
            url,
            f"{url}?compare={translation.slug}",
            f"{url}cite/2/",
            f"{url}cite/",
            f"{url}turns/2/correct/",
            "/speakers/",
            f"/speakers/{speaker.slug}/",
            "/topics/",
            f"/topics/{topic.slug}/",
            "/alerts/?q=restraint",
            "/no-such-page/",  # the 404 page
            "/he/",
            "/he/search/?q=restraint",
            f"/he{url}",
        ]

    def test_every_page_kind_has_no_axe_violation(self) -> None:
        found = {}
        for path in self.page_kinds():
            self.open(path)
            violations = self.axe_violations()
            if violations:
                found[path] = violations
        self.assertEqual(found, {})
