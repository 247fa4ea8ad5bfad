"""Import of WebVTT and SRT subtitles: golden files, each importer rule, each rejection."""

from __future__ import annotations

import json
import tempfile
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from archive.importers import RawDocument, import_documents, read_content
from archive.models import Speaker, Transcript, Turn
from tests.fixtures import DATA

SUBTITLES = DATA / "subtitles"


def parse(text: str, source: str) -> RawDocument:
    [raw] = list(read_content(text.encode("utf-8"), source))
    return raw


def document_of(text: str, source: str) -> dict[str, Any]:
    raw = parse(text, source)
    assert raw.error is None, str(raw.error)
    data: dict[str, Any] = raw.data
    return data


def turns_of(text: str, source: str) -> list[tuple[str, str, str]]:
    return [(t["speaker"], t["kind"], t["text"]) for t in document_of(text, source)["turns"]]


def srt(*cues: str) -> str:
    """An SRT file whose cues, one second each, hold the given texts."""
    blocks = [
        f"{n}\n00:00:{n:02d},000 --> 00:00:{n:02d},900\n{text}\n" for n, text in enumerate(cues, start=1)
    ]
    return "\n".join(blocks)


def vtt(*cues: str, header: str = "") -> str:
    blocks = [f"00:{n:02d}.000 --> 00:{n:02d}.900\n{text}\n" for n, text in enumerate(cues, start=1)]
    return "\n".join([f"WEBVTT\n{header}", *blocks])


class GoldenFileTests(TestCase):
    def subtitle_files(self) -> list[Any]:
        return sorted(p for p in SUBTITLES.iterdir() if p.suffix in (".vtt", ".srt"))

    def test_each_file_gives_the_document_beside_it(self) -> None:
        files = self.subtitle_files()
        self.assertEqual(len(files), 3)
        for path in files:
            with self.subTest(path.name):
                [raw] = list(read_content(path.read_bytes(), path.name))
                self.assertIsNone(raw.error)
                expected = json.loads((SUBTITLES / f"{path.name}.expected.json").read_text("utf-8"))
                self.assertEqual(raw.data, expected)

    def test_the_command_imports_them_with_times_speakers_and_languages(self) -> None:
        out = StringIO()
        call_command("import_transcripts", *map(str, self.subtitle_files()), stdout=out, stderr=StringIO())
        self.assertIn("imported 3 documents", out.getvalue())
        languages = dict(Transcript.objects.values_list("slug", "language"))
        self.assertEqual(languages["wh-briefing-2021-04-01-captions"], "en")
        self.assertEqual(sorted(languages.values()), ["en", "he", "zh-Hans"])
        answer = Turn.objects.get(transcript__slug="wh-briefing-2021-04-01-captions", position=3)
        self.assertEqual((answer.speaker.name, answer.start, answer.end), ("MS. PSAKI", 4.5, 104.5))
        question = Turn.objects.get(transcript__language="zh-Hans", position=2)
        self.assertEqual((question.speaker.name, question.kind), ("问", "question"))


class SpeakerAndTurnRuleTests(TestCase):
    def test_consecutive_cues_of_one_speaker_merge_into_one_turn(self) -> None:
        doc = document_of(vtt("<v Ana>One", "<v Ana>two.", "<v Ben>Three.", "<v Ana>Four."), "talk.en.vtt")
        self.assertEqual(
            [(t["speaker"], t["text"]) for t in doc["turns"]],
            [("Ana", "One two."), ("Ben", "Three."), ("Ana", "Four.")],
        )
        self.assertEqual((doc["turns"][0]["start"], doc["turns"][0]["end"]), (1.0, 2.9))

    def test_a_cue_without_a_label_continues_the_previous_speaker(self) -> None:
        turns = turns_of(srt("JOHN SMITH: We began", "in May.", "MARY: Why?"), "talk.en.srt")
        self.assertEqual(
            turns, [("JOHN SMITH", "statement", "We began in May."), ("MARY", "statement", "Why?")]
        )

    def test_cues_before_any_label_go_to_the_unnamed_speaker(self) -> None:
        text = srt("Good evening.", "PETER: Thank you.")
        self.assertEqual(turns_of(text, "talk.en.srt")[0], ("", "statement", "Good evening."))
        report = import_documents(read_content(text.encode(), "talk.en.srt"))
        self.assertEqual(report.rejected, 0)
        self.assertEqual(Turn.objects.get(position=1).speaker.slug, "unnamed-speaker")

    def test_voice_spans_name_speakers_and_a_cue_may_hold_two(self) -> None:
        turns = turns_of(vtt("<v.loud Ana Lima>Hello &amp; welcome.</v>\n<v Ben>Thanks."), "talk.pt.vtt")
        self.assertEqual(
            turns, [("Ana Lima", "statement", "Hello & welcome."), ("Ben", "statement", "Thanks.")]
        )

    def test_a_voice_class_that_is_a_kind_sets_the_kind(self) -> None:
        turns = turns_of(vtt("<v.question Reporter>Why?", "<v.answer Minister>Because."), "t.en.vtt")
        self.assertEqual([kind for _, kind, _ in turns], ["question", "answer"])

    def test_text_inside_a_voice_span_is_never_read_as_a_label(self) -> None:
        turns = turns_of(vtt("<v Ana>Note: this is Ana speaking."), "t.en.vtt")
        self.assertEqual(turns, [("Ana", "statement", "Note: this is Ana speaking.")])

    def test_bracket_and_full_width_colon_labels_name_speakers(self) -> None:
        turns = turns_of(srt("[MODERATOR] Welcome.", "主持人：欢迎。", "- DR. LEE: Hi."), "t.zh-Hans.srt")
        self.assertEqual([name for name, _, _ in turns], ["MODERATOR", "主持人", "DR. LEE"])

    def test_a_sentence_with_a_colon_is_not_taken_for_a_speaker(self) -> None:
        turns = turns_of(srt("ANA: The reason is", "simple: we ran out of time."), "t.en.srt")
        self.assertEqual(turns, [("ANA", "statement", "The reason is simple: we ran out of time.")])
        hebrew = turns_of(srt('היו"ר כץ: בוקר טוב.', "על סדר היום: התקציב.", 'היו"ר כץ: תודה.'), "t.he.srt")
        self.assertEqual([name for name, _, _ in hebrew], ['היו"ר כץ'])

    def test_a_label_with_lowercase_words_counts_only_when_it_recurs(self) -> None:
        once = turns_of(srt("PERES: Hello.", "Weibo user: Hi there."), "t.en.srt")
        self.assertEqual([name for name, _, _ in once], ["PERES"])
        twice = turns_of(srt("Weibo user: Hi.", "PERES: Hello.", "Weibo user: Bye."), "t.en.srt")
        self.assertEqual([name for name, _, _ in twice], ["Weibo user", "PERES", "Weibo user"])

    def test_sound_descriptions_and_reported_speech_are_not_speakers(self) -> None:
        turns = turns_of(srt("LIN: Hello.", "[Applause] Thank you.", "他说：“我们同意。”"), "t.zh-Hans.srt")
        self.assertEqual(turns, [("LIN", "statement", "Hello. [Applause] Thank you. 他说：“我们同意。”")])

    def test_a_label_before_a_quotation_counts_only_when_it_recurs(self) -> None:
        turns = turns_of(
            srt("问：怎么看？", "林剑：“一带一路”是合作平台。", "问：还有呢？", "林剑：“是的。”"),
            "t.zh-Hans.srt",
        )
        self.assertEqual([name for name, _, _ in turns], ["问", "林剑", "问", "林剑"])

    def test_q_and_question_labels_make_questions_and_everything_else_statements(self) -> None:
        turns = turns_of(
            srt("Q: Why?", "MS. PSAKI: Because.", "Question: And then?", "问：为什么？"), "t.en.srt"
        )
        self.assertEqual([kind for _, kind, _ in turns], ["question", "statement", "question", "question"])

    def test_markup_is_removed_and_entities_decoded(self) -> None:
        cue = (
            "<v Ana><i>Fish</i> &amp; <b>chips</b>, <c.yellow.bg_blue>please</c> &lt;now&gt;<00:00:01.500> ok"
        )
        ruby = "<v Ken><ruby>東京<rt>とうきょう</rt></ruby>です"
        self.assertEqual(turns_of(vtt(cue), "t.en.vtt")[0][2], "Fish & chips, please <now> ok")
        self.assertEqual(turns_of(vtt(ruby), "t.ja.vtt")[0][2], "東京です")
        srt_text = srt('{\\an8}<font color="#ff0">SAM:</font> Up &amp; <i>away</i>')
        self.assertEqual(turns_of(srt_text, "t.en.srt"), [("SAM", "statement", "Up & away")])

    def test_lines_join_with_a_space_except_between_chinese_characters(self) -> None:
        self.assertEqual(turns_of(srt("ANA: one\ntwo", "three"), "t.en.srt")[0][2], "one two three")
        self.assertEqual(
            turns_of(srt("林剑：我们\n支持", "和平。OK"), "t.zh-Hans.srt")[0][2], "我们支持和平。OK"
        )

    def test_turn_identifiers_keep_turns_apart_and_their_lines_are_paragraphs(self) -> None:
        text = (
            "WEBVTT\n\nturn-1\n00:01.000 --> 00:02.000\n<v Ana>First paragraph.\nSecond one.\n\n"
            "turn-2\n00:02.000 --> 00:03.000\n<v Ana>A new turn.\n"
        )
        self.assertEqual(
            [t["text"] for t in document_of(text, "t.en.vtt")["turns"]],
            ["First paragraph.\nSecond one.", "A new turn."],
        )


class TimeTests(TestCase):
    def test_vtt_takes_hours_or_minutes_first_and_ignores_cue_settings(self) -> None:
        text = (
            "WEBVTT\n\n02:05.000 --> 02:06.125\n<v A>a\n\n"
            "01:02:03.450 --> 01:02:04.000 line:0 align:start\n<v B>b\n"
        )
        turns = document_of(text, "t.en.vtt")["turns"]
        self.assertEqual([(t["start"], t["end"]) for t in turns], [(125.0, 126.125), (3723.45, 3724.0)])

    def test_srt_takes_a_comma_before_milliseconds(self) -> None:
        text = "1\n00:01:01,000 --> 00:01:34,500\nA\n"
        turn = document_of(text, "t.en.srt")["turns"][0]
        self.assertEqual((turn["start"], turn["end"]), (61.0, 94.5))

    def test_a_line_of_spaces_stays_inside_a_vtt_cue_as_youtube_writes_them(self) -> None:
        text = (
            "WEBVTT\nKind: captions\nLanguage: en\n\n00:00:00.160 --> 00:00:02.869 align:start position:0%\n"
            " \nhello<00:00:00.640><c> everyone</c><00:00:01.120><c> and</c>\n"
        )
        self.assertEqual(turns_of(text, "clip.vtt"), [("", "statement", "hello everyone and")])

    def test_a_second_timing_line_starts_a_new_vtt_cue_as_in_the_webvtt_parser(self) -> None:
        text = "WEBVTT\n\n00:01.000 --> 00:02.000\n<v A>one\n00:02.000 --> 00:03.000\n<v B>two\n"
        self.assertEqual(turns_of(text, "t.en.vtt"), [("A", "statement", "one"), ("B", "statement", "two")])


class MetadataTests(TestCase):
    def test_header_and_note_lines_give_the_transcript_keys(self) -> None:
        header = "Kind: captions\nLanguage: es\n\nNOTE\nTitle: Conferencia matutina\nDate: 2019-05-12\n"
        header += "Slug: mananera-2019-05-12-vtt\nSource: https://example.org/x\nTopics: salud; seguridad\n"
        header += "Status: draft\nPlace: Palacio Nacional\nEvent: Mañanera\nLicense: CC0-1.0\n"
        doc = document_of(vtt("<v AMLO>Buenos días.", header=header), "conferencia.vtt")
        expected = {
            "language": "es",
            "title": "Conferencia matutina",
            "date": "2019-05-12",
            "slug": "mananera-2019-05-12-vtt",
            "source_url": "https://example.org/x",
            "topics": ["salud", "seguridad"],
            "status": "draft",
            "place": "Palacio Nacional",
            "event": "Mañanera",
            "license": "CC0-1.0",
        }
        self.assertEqual({key: doc[key] for key in expected}, expected)

    def test_a_note_after_the_first_cue_is_a_comment(self) -> None:
        text = "WEBVTT\nTitle: Right\n\n00:01.000 --> 00:02.000\nA\n\nNOTE\nTitle: Wrong\n"
        self.assertEqual(document_of(text, "t.en.vtt")["title"], "Right")

    def test_the_title_falls_back_to_the_header_text_then_the_file_name(self) -> None:
        self.assertEqual(
            document_of("WEBVTT - Budget hearing\n\n00:01.000 --> 00:02.000\nA\n", "x.en.vtt")["title"],
            "Budget hearing",
        )
        self.assertEqual(document_of(vtt("A"), "dir/budget_hearing.en.vtt")["title"], "budget hearing")
        self.assertEqual(document_of(srt("A"), "budget_hearing.he.srt")["title"], "budget hearing")

    def test_the_language_comes_from_the_file_name(self) -> None:
        self.assertEqual(document_of(srt("A"), "talk.es.srt")["language"], "es")
        self.assertEqual(document_of(vtt("A"), "talk.zh-hans.vtt")["language"], "zh-Hans")
        self.assertEqual(document_of(srt("A"), "talk.pt_br.srt")["language"], "pt-BR")

    def test_a_language_line_is_read_in_canonical_case(self) -> None:
        self.assertEqual(document_of(vtt("A", header="Language: ZH-hans\n"), "t.vtt")["language"], "zh-Hans")

    def test_without_a_slug_line_the_same_talk_in_two_languages_makes_two_transcripts(self) -> None:
        files = [(srt("ANA: Hola."), "talk.es.srt"), (srt("ANA: Hello."), "talk.en.srt")]
        report = import_documents(raw for text, name in files for raw in read_content(text.encode(), name))
        self.assertEqual((report.rejected, report.created), (0, 2))
        self.assertEqual(
            sorted(Transcript.objects.values_list("slug", "language")), [("talk-en", "en"), ("talk-es", "es")]
        )


class RejectionTests(TestCase):
    def assert_rejected(self, text: str, source: str, fragment: str, line: int | None = None) -> None:
        raw = parse(text, source)
        self.assertIsNotNone(raw.error, f"{source} was accepted")
        assert raw.error is not None
        self.assertIn(fragment, raw.error.message)
        self.assertEqual(raw.error.line, line)

    def test_it_rejects_a_file_without_a_language_saying_how_to_give_one(self) -> None:
        self.assert_rejected(srt("A"), "talk.srt", "name the file like talk.es.srt")
        self.assert_rejected(vtt("A"), "talk.vtt", "'Language: es' under WEBVTT")
        # A word before the extension is not a language.
        self.assert_rejected(srt("A"), "talk.final.srt", "no language given")

    def test_it_rejects_a_file_whose_name_and_header_disagree(self) -> None:
        self.assert_rejected(vtt("A", header="Language: en\n"), "talk.es.vtt", "'es'")

    def test_it_rejects_a_bad_timestamp_naming_the_line(self) -> None:
        bad_seconds = "WEBVTT\n\n1\n00:00:61.000 --> 00:01:02.000\nA\n"
        self.assert_rejected(bad_seconds, "t.en.vtt", "bad start time '00:00:61.000'", line=4)
        bad_minutes = "WEBVTT\n\n00:01.000 --> 62:05.000\nA\n"
        self.assert_rejected(bad_minutes, "t.en.vtt", "bad end time '62:05.000'", line=3)
        comma = "WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nA\n"
        self.assert_rejected(comma, "t.en.vtt", "not ','", line=3)
        short = "1\n00:00:01,000 --> 00:00:02,000\nA\n\n2\n00:00:03,5 --> 00:00:04,000\nB\n"
        self.assert_rejected(short, "t.en.srt", "bad start time '00:00:03,5': expected HH:MM:SS,mmm", line=6)
        no_arrow = "1\n00:00:01,000 -> 00:00:02,000\nA\n"
        self.assert_rejected(no_arrow, "t.en.srt", "no timing line", line=2)

    def test_it_rejects_a_cue_that_ends_before_it_starts(self) -> None:
        text = "WEBVTT\n\n00:05.000 --> 00:04.000\nA\n"
        self.assert_rejected(text, "t.en.vtt", "ends (00:04.000) before it starts (00:05.000)", line=3)
        self.assert_rejected("1\n00:00:05,000 --> 00:00:04,000\nA\n", "t.en.srt", "before it starts", line=2)

    def test_it_rejects_text_where_a_cue_should_start(self) -> None:
        text = "1\n00:00:01,000 --> 00:00:02,000\nA\n\nstray words\n"
        self.assert_rejected(text, "t.en.srt", "blank line inside a cue", line=5)
        self.assert_rejected("WEBVTT\n\nhello\nworld\n", "t.en.vtt", "expected a cue", line=3)

    def test_it_rejects_a_vtt_without_its_signature_or_header_break(self) -> None:
        self.assert_rejected(
            "1\n00:01.000 --> 00:02.000\nA\n", "t.en.vtt", "first line must be 'WEBVTT'", line=1
        )
        self.assert_rejected(
            "WEBVTT\n00:01.000 --> 00:02.000\nA\n", "t.en.vtt", "blank line must separate", line=2
        )

    def test_it_rejects_a_file_with_no_text(self) -> None:
        self.assert_rejected("WEBVTT\n\n00:01.000 --> 00:02.000\n<i></i>\n", "t.en.vtt", "no cues with text")

    def test_a_rejection_names_file_and_line_and_writes_nothing(self) -> None:
        text = srt("ANA: fine") + "\n2\n00:00:09,000 --> 00:00:08,000\nB\n"
        report = import_documents(read_content(text.encode(), "hearing.en.srt"))
        self.assertEqual(report.rejected, 1)
        self.assertTrue(str(report.errors[0]).startswith("hearing.en.srt, line 6: the cue ends"))
        self.assertFalse(Transcript.objects.exists())
        self.assertFalse(Speaker.objects.exists())

    def test_the_command_reports_a_rejected_subtitle_file_with_its_line(self) -> None:
        folder = Path(tempfile.mkdtemp())
        (folder / "good.en.srt").write_text(srt("ANA: Hello."), "utf-8")
        (folder / "bad.en.srt").write_text("1\n00:00:01,000 --> 00:00:0x,000\nA\n", "utf-8")
        out, err = StringIO(), StringIO()
        with self.assertRaises(CommandError):
            call_command("import_transcripts", str(folder), stdout=out, stderr=err)
        self.assertIn("bad.en.srt, line 2: bad end time '00:00:0x,000'", err.getvalue())
        self.assertIn("imported 1 documents", out.getvalue())
