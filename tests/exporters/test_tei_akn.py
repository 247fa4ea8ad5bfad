"""TEI and Akoma Ntoso exports: valid (our own schemas always, the standards' own when at hand),
served on every route, and export -> import -> export gives the same file."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from functools import cache
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import TestCase
from lxml import etree

from archive.exporters import get_exporter
from archive.importers import import_documents, read_content, read_files
from archive.models import Transcript
from archive.selectors import transcripts_for_export
from tests.api.helpers import ApiTestCase
from tests.fixtures import PERES_ZH, REPO, document, import_document
from tests.interchange_xml import AKN_DEBATE, SCHEMAS, interchange_files, tei_sitting

OUR_SCHEMAS = REPO / "archive" / "schemas"
JING = shutil.which("jing")
needs_parla_clarin = pytest.mark.skipif(
    not (JING and (SCHEMAS / "parla-clarin.rng").is_file()),
    reason="jing or ../shared/corpus/interchange/schemas/parla-clarin.rng is absent",
)
needs_akn_schema = pytest.mark.skipif(
    not (SCHEMAS / "akomantoso30.xsd").is_file(), reason="../shared/corpus/interchange/schemas is absent"
)

# Everything the two formats carry: sections, narrative turns (one by a named person), a chair,
# questions and answers (one replying to an earlier question), another language, names in
# several scripts, a role, no date, and an unnamed speaker.
RICH = {
    "slug": "2026-rich-sitting",
    "title": "  Questions   to the Minister ",
    "language": "en",
    "event": "Sitting 7",
    "place": "Nairobi",
    "license": "CC-BY-4.0",
    "source_url": "https://example.org/sitting-7",
    "description": "First line.\n\nSecond   line.",
    "speakers": [
        {"name": "Chair", "role": "Speaker of the House"},
        {
            "name": "Shimon Peres",
            "slug": "shimon-peres",
            "names": {"he": "שמעון פרס", "zh-Hans": "西蒙·佩雷斯"},
        },
        {"name": "Member <A> & B"},
        {"name": ""},
    ],
    "turns": [
        {"speaker": "Chair", "kind": "moderator", "text": "Order.", "section": "Opening"},
        {"speaker": "", "kind": "narrative", "text": "(Applause)\n(More applause)", "section": "Opening"},
        {"speaker": "Member <A> & B", "kind": "question", "text": "First?", "section": "Questions"},
        {"speaker": "Member <A> & B", "kind": "question", "text": "Second?", "section": "Questions"},
        {
            "speaker": "Shimon Peres",
            "kind": "answer",
            "text": "To the first.",
            "reply_to": 3,
            "section": "Questions",
        },
        {
            "speaker": "Shimon Peres",
            "kind": "answer",
            "text": "שלום  לכם.\n\nתודה.",
            "language": "he",
            "section": "Questions",
        },
        {"speaker": "Chair", "kind": "narrative", "text": "The Chair rises."},
        {"speaker": "", "text": "Unattributed remark."},
    ],
}


def render(name: str, slug: str) -> str:
    return get_exporter(name).render(transcripts_for_export(slugs=[slug], include_drafts=True).get())


@cache
def our_schema(name: str) -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(OUR_SCHEMAS / f"qa-archive-{name}.rng")))


def assert_valid_against_ours(name: str, text: str) -> None:
    schema = our_schema(name)
    ok = schema.validate(etree.fromstring(text.encode()))
    assert ok, str(schema.error_log)


def parla_clarin_errors(text: str) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".xml", encoding="utf-8", delete=False) as handle:
        handle.write(text)
    try:
        run = subprocess.run(
            [str(JING), str(SCHEMAS / "parla-clarin.rng"), handle.name],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        Path(handle.name).unlink()
    return "" if run.returncode == 0 else run.stdout + run.stderr


@cache
def akn_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "akomantoso30.xsd")))


def assert_valid_akoma_ntoso(text: str) -> None:
    ok = akn_schema().validate(etree.fromstring(text.encode()))
    assert ok, str(akn_schema().error_log)


def round_trip(name: str, slug: str) -> tuple[str, str]:
    """The export, and the export of its import into an archive without the transcript."""
    first = render(name, slug)
    Transcript.objects.all().delete()
    report = import_documents(read_content(first.encode(), f"{slug}.{name}.xml"))
    assert report.rejected == 0, report.errors
    return first, render(name, report.slugs[0])


class ExportTests(TestCase):
    def setUp(self) -> None:
        import_document(RICH)

    def test_tei_export_is_valid_against_our_schema_and_round_trips(self) -> None:
        first, second = round_trip("tei", "2026-rich-sitting")
        assert_valid_against_ours("tei", first)
        self.assertEqual(second, first)
        self.assertIn('<u who="#shimon-peres" ana="#regular #answer" xml:lang="he">', first)
        self.assertIn('<persName xml:lang="zh-Hans">西蒙·佩雷斯</persName>', first)
        self.assertIn("<head>Questions</head>", first)
        self.assertIn("<persName>Member &lt;A&gt; &amp; B</persName>", first)

    def test_akoma_ntoso_export_is_valid_against_our_schema_and_round_trips(self) -> None:
        first, second = round_trip("akn", "2026-rich-sitting")
        assert_valid_against_ours("akn", first)
        self.assertEqual(second, first)
        self.assertIn('<answer eId="turn_7" by="#shimon-peres">', first)
        self.assertIn('<FRBRdate date="', first)
        self.assertIn('name="undated"/>', first)

    def test_what_the_formats_carry_survives_the_import(self) -> None:
        for name in ("tei", "akn"):
            with self.subTest(format=name):
                Transcript.objects.all().delete()
                import_document(RICH)
                round_trip(name, "2026-rich-sitting")
                transcript = Transcript.objects.get()
                turns = list(transcript.turns.order_by("position"))
                self.assertEqual(transcript.title, "Questions to the Minister")
                self.assertIsNone(transcript.date)
                self.assertEqual(turns[0].kind, "moderator")
                self.assertEqual(turns[0].section, "Opening")
                answer = next(t for t in turns if t.text == "To the first.")
                # Akoma Ntoso says which question (refersTo); TEI has no such link, so the
                # format's default holds: the nearest question before.
                expected = "First?" if name == "akn" else "Second?"
                self.assertEqual(answer.reply_to and answer.reply_to.text, expected)
                if name == "tei":
                    self.assertEqual(turns[5].language, "he")
                    self.assertEqual(turns[5].text, "שלום לכם.\nתודה.")
                    self.assertEqual(transcript.place, "Nairobi")

    @needs_parla_clarin
    def test_tei_export_is_valid_parla_clarin(self) -> None:
        import_document(document())
        import_document(PERES_ZH)
        for slug in ("2026-rich-sitting", "peres-weibo-test", "peres-weibo-test-zh"):
            self.assertEqual(parla_clarin_errors(render("tei", slug)), "", slug)

    @needs_akn_schema
    def test_akoma_ntoso_export_is_valid_against_the_oasis_schema(self) -> None:
        import_document(document())
        import_document(PERES_ZH)
        for slug in ("2026-rich-sitting", "peres-weibo-test", "peres-weibo-test-zh"):
            assert_valid_akoma_ntoso(render("akn", slug))

    def test_our_schemas_reject_what_we_do_not_emit(self) -> None:
        tei = render("tei", "2026-rich-sitting").replace("<seg>Order.</seg>", "<seg>  </seg>")
        self.assertFalse(our_schema("tei").validate(etree.fromstring(tei.encode())))
        akn = render("akn", "2026-rich-sitting").replace('name="slug"', 'name="other"')
        self.assertFalse(our_schema("akn").validate(etree.fromstring(akn.encode())))

    def test_the_command_writes_one_file_per_transcript(self) -> None:
        import_document(document())
        folder = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, folder)
        for name in ("tei", "akn"):
            call_command("export_transcripts", "--format", name, "--output", str(folder), stderr=StringIO())
        self.assertEqual(
            sorted(p.name for p in folder.iterdir()),
            [
                "2026-rich-sitting.akn.xml",
                "2026-rich-sitting.tei.xml",
                "peres-weibo-test.akn.xml",
                "peres-weibo-test.tei.xml",
            ],
        )
        # The folder imports back as it is: each format by its content.
        Transcript.objects.all().delete()
        report = import_documents(read_files(sorted(folder.iterdir())))
        self.assertEqual((report.documents, report.rejected), (4, 0))

    def test_the_transcript_page_offers_both_downloads(self) -> None:
        response = self.client.get("/transcripts/2026-rich-sitting/")
        self.assertContains(response, 'href="/transcripts/2026-rich-sitting/export.tei"')
        self.assertContains(response, 'href="/transcripts/2026-rich-sitting/export.akn"')
        download = self.client.get("/transcripts/2026-rich-sitting/export.tei")
        self.assertEqual(download["Content-Type"], "application/tei+xml; charset=utf-8")
        self.assertIn('filename="2026-rich-sitting.tei.xml"', download["Content-Disposition"])
        self.assertEqual(download.content.decode(), render("tei", "2026-rich-sitting"))


class ApiExportTests(ApiTestCase):
    def test_the_api_gives_a_transcript_as_tei_or_akoma_ntoso(self) -> None:
        import_document(RICH)
        for name in ("tei", "akn"):
            response = self.client.get("/api/v1/transcripts/2026-rich-sitting/", {"format": name})
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.content.decode(), render(name, "2026-rich-sitting"))


class BulkTeiTests(ApiTestCase):
    def test_the_bulk_export_streams_a_tei_corpus_that_imports_back(self) -> None:
        import_document(RICH)
        import_document(document())  # a second sitting; Shimon Peres speaks in both
        singles = {slug: render("tei", slug) for slug in ("2026-rich-sitting", "peres-weibo-test")}
        response = self.client.get("/api/v1/export/", {"format": "tei"})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.streaming)
        body = response.getvalue()
        corpus = etree.fromstring(body)  # well-formed: every xml:id once in the whole corpus
        self.assertEqual(corpus.tag, "{http://www.tei-c.org/ns/1.0}teiCorpus")
        self.assertEqual(len(corpus.findall("{http://www.tei-c.org/ns/1.0}TEI")), 2)
        Transcript.objects.all().delete()
        report = import_documents(read_content(body, "bulk.tei.xml"))
        self.assertEqual(report.rejected, 0, report.errors)
        self.assertEqual(sorted(report.slugs), sorted(singles))
        for slug, single in singles.items():  # export, bulk export, import, export: the same file
            self.assertEqual(render("tei", slug), single)

    @pytest.mark.skipif(not JING or not SCHEMAS.exists(), reason="needs jing and ../shared's schemas")
    def test_the_tei_corpus_is_valid_parla_clarin(self) -> None:
        import_document(RICH)
        import_document(document())
        response = self.client.get("/api/v1/export/", {"format": "tei"})
        self.assertTrue(response.streaming)
        body = response.getvalue()
        self.assertEqual(parla_clarin_errors(body.decode()), "")

    def test_akoma_ntoso_stays_one_file_per_transcript(self) -> None:
        self.assertEqual(self.client.get("/api/v1/export/", {"format": "akn"}).status_code, 400)


# --- The shared files: imported, exported valid, and the export round-trips ---


def _shared() -> list[Path]:
    return interchange_files("tei") + interchange_files("akoma-ntoso")


@pytest.mark.django_db
@pytest.mark.skipif(not _shared(), reason="../shared/corpus/interchange is absent")
@pytest.mark.parametrize("path", _shared(), ids=lambda p: p.name)
def test_each_shared_file_exports_valid_and_round_trips(path: Path) -> None:
    name = path.with_suffix("").with_suffix(".en.xml").name if path.name.startswith("sayit-") else path.name
    report = import_documents(read_content(path.read_bytes(), name))
    assert report.rejected == 0, report.errors
    slug = report.slugs[0]
    for fmt in ("tei", "akn"):
        first = render(fmt, slug)
        assert_valid_against_ours(fmt, first)
        if fmt == "akn" and (SCHEMAS / "akomantoso30.xsd").is_file():
            assert_valid_akoma_ntoso(first)
        again = import_documents(read_content(first.encode(), f"again.{fmt}.xml"))
        assert again.rejected == 0, again.errors
        assert render(fmt, again.slugs[0]) == first


@needs_parla_clarin
@pytest.mark.django_db
def test_tei_exports_of_the_shared_files_are_valid_parla_clarin() -> None:
    for path in interchange_files("tei"):
        report = import_documents(read_content(path.read_bytes(), path.name))
        assert parla_clarin_errors(render("tei", report.slugs[0])) == "", path.name


def test_the_fixtures_of_our_own_import_without_errors() -> None:
    """The test modules' own files are well-formed (a typo there would fail every test above)."""
    etree.fromstring(tei_sitting())
    etree.fromstring(AKN_DEBATE.encode())
