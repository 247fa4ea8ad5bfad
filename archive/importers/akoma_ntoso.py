"""Akoma Ntoso in: a `<debate>` (Akoma Ntoso 3.0, or the 2.0 draft SayIt writes) is one transcript.

* Speakers: `by="#id"` resolves through the `<references>` (`TLCPerson`, and `TLCRole` for a
  chair such as "Mr. Speaker"), named by `showAs`; the TLC's `href` is kept as an identifier.
  `<from>` is the name as printed: the speaker's name when there is no `by`, else an alias.
  A speech with neither has the unnamed speaker (as SayIt imports it, with no speaker).
* `speech` is a statement, `question` and `answer` those kinds (an answer replies to the
  question its `refersTo` names, else to the nearest one before it), `as="#moderator"` a
  moderator; `narrative`, `scene`, `summary`, `other` and a bare `<p>` of a section are
  `narrative` turns.
* `debateSection` (and the other section elements SayIt knows) give their `heading` as the
  turns' `section`; a section without a heading keeps its parent's.
* Slug from `FRBRalias name="slug"` (what the export writes), else from date and title; title
  from `docTitle`, else the file's name (SayIt's fixtures have empty titles); date from the
  work's `FRBRdate`, else `docDate` (SayIt imports records without one); language from
  `FRBRlanguage` (ISO 639-2 `eng` is `en`), else the file name's tag (`debate.en.xml`), else an
  error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from lxml import etree

from archive.importers.base import RawDocument
from archive.importers.language_tags import canonical_tag, split_language_suffix
from archive.importers.xml_input import (
    AKN_NAMESPACES,
    XML_LANG,
    collapse,
    element_error,
    local_name,
    namespace,
    parse_xml,
    text_of,
)
from archive.interchange import FORMAT_NAME, LANGUAGE_TAG, DocumentError

UNNAMED_HREF = "/ontology/person/unnamed"  # archive.exporters.akoma_ntoso writes it
# SayIt's list of the elements that hold speeches under a heading.
SECTIONS = frozenset(
    """debateSection administrationOfOath rollCall prayers oralStatements writtenStatements
    personalStatements ministerialStatements resolutions nationalInterest declarationOfVote
    communication petitions papers noticesOfMotion questions address proceduralMotions
    pointOfOrder adjournment""".split()  # noqa: SIM905 (the names as SayIt lists them)
)
SPEECHES = {"speech": "statement", "question": "question", "answer": "answer"}
NARRATIVES = frozenset({"narrative", "scene", "summary", "other", "p"})
HEADINGS = frozenset({"num", "heading", "subheading"})
BLOCKS = frozenset(
    {"p", "blockList", "list", "table", "blockContainer", "block", "tblock", "ul", "ol", "foreign"}
)
# ISO 639-2 (bibliographic and terminology) codes of FRBRlanguage -> BCP-47.
ISO_639_2 = {
    "eng": "en", "fra": "fr", "fre": "fr", "spa": "es", "por": "pt", "ita": "it", "deu": "de",
    "ger": "de", "nld": "nl", "dut": "nl", "swe": "sv", "swa": "sw", "ara": "ar", "heb": "he",
    "zho": "zh", "chi": "zh", "jpn": "ja", "rus": "ru", "ukr": "uk", "pol": "pl", "ces": "cs",
    "cze": "cs", "slv": "sl", "hrv": "hr", "srp": "sr", "bul": "bg", "ell": "el", "gre": "el",
    "tur": "tr", "hun": "hu", "ron": "ro", "rum": "ro", "fin": "fi", "dan": "da", "nor": "no",
    "est": "et", "lav": "lv", "lit": "lt", "isl": "is", "ice": "is", "gle": "ga", "cym": "cy",
    "wel": "cy", "eus": "eu", "baq": "eu", "cat": "ca", "glg": "gl", "hin": "hi", "kor": "ko",
    "vie": "vi", "tha": "th", "ind": "id", "msa": "ms", "may": "ms", "amh": "am", "hau": "ha",
    "yor": "yo", "ibo": "ig", "zul": "zu", "xho": "xh", "afr": "af", "som": "so", "fas": "fa",
    "per": "fa", "urd": "ur", "ben": "bn", "tam": "ta", "mlt": "mt", "slk": "sk", "slo": "sk",
    "bos": "bs", "mkd": "mk", "mac": "mk", "sqi": "sq", "alb": "sq",
}  # fmt: skip


def bcp47(code: str) -> str:
    code = code.strip()
    return ISO_639_2.get(code.lower(), canonical_tag(code) if code else "")


def parse_akoma_ntoso(content: bytes, source: str) -> Iterator[RawDocument]:
    try:
        root = parse_xml(content, source)
        if local_name(root) != "akomaNtoso" or namespace(root) not in AKN_NAMESPACES:
            raise element_error(source, root, "is not an Akoma Ntoso document (<akomaNtoso>)")
        debate = _child(root, "debate")
        if debate is None:
            raise element_error(source, root, "holds no <debate> (only debate records are transcripts)")
        yield RawDocument(source, data=_Reader(source, namespace(root)).document(debate))
    except DocumentError as exc:
        yield RawDocument(source, error=exc)


def _child(element: etree._Element, name: str) -> etree._Element | None:
    for child in element:
        if local_name(child) == name:
            return child
    return None


class _Reader:
    def __init__(self, source: str, ns: str) -> None:
        self.source = source
        self.ns = ns
        self.references: dict[str, etree._Element] = {}
        self.speakers: list[dict[str, Any]] = []
        self.turns: list[dict[str, Any]] = []
        self.question_ids: dict[str, int] = {}

    def _find(self, element: etree._Element, path: str) -> etree._Element | None:
        steps = "/".join(f"{{{self.ns}}}{s}" if self.ns else s for s in path.split("/"))
        return element.find(steps)

    def _findall(self, element: etree._Element, path: str) -> list[etree._Element]:
        steps = "/".join(f"{{{self.ns}}}{s}" if self.ns else s for s in path.split("/"))
        return list(element.iterfind(steps))

    def document(self, debate: etree._Element) -> dict[str, Any]:
        meta = self._find(debate, "meta")
        if meta is not None:
            for references in self._findall(meta, "references"):
                for reference in references:
                    ref_id = reference.get("eId") or reference.get("id")
                    if ref_id and local_name(reference).startswith("TLC"):
                        self.references[ref_id] = reference
        work = self._find(meta, "identification/FRBRWork") if meta is not None else None
        expression = self._find(meta, "identification/FRBRExpression") if meta is not None else None

        title = ""
        date = ""
        for holder in ("preface", "coverPage"):
            block = self._find(debate, holder)
            if block is None:
                continue
            for element in block.iter():
                name = local_name(element)
                if name == "docTitle" and not title:
                    title = text_of(element)
                elif name == "docDate" and not date:
                    date = _date(element.get("date"))
        if work is not None:
            frbr_date = self._find(work, "FRBRdate")
            if frbr_date is not None and frbr_date.get("name") != "undated":  # our export's "no date"
                date = _date(frbr_date.get("date")) or date
        stem, file_language = split_language_suffix(self.source)
        title = title or collapse(stem.replace("_", " ")) or "Untitled debate"

        language = ""
        if expression is not None:
            frbr_language = self._find(expression, "FRBRlanguage")
            if frbr_language is not None:
                language = bcp47(frbr_language.get("language") or "")
        language = language or debate.get(XML_LANG) or file_language or ""
        if not language or not LANGUAGE_TAG.match(language):
            where = expression if expression is not None else debate
            raise element_error(
                self.source,
                where,
                'gives no language: add <FRBRlanguage language="eng"/> to the FRBRExpression, '
                "or name the file with its language (debate.en.xml)",
            )

        body = self._find(debate, "debateBody")
        if body is None:
            raise element_error(self.source, debate, "has no <debateBody>")
        self._walk(body, "")
        if not self.turns:
            raise element_error(self.source, body, "holds no speech, question, answer or narrative")

        data: dict[str, Any] = {"format": FORMAT_NAME}
        alias = next(
            (
                a.get("value")
                for a in (self._findall(work, "FRBRalias") if work is not None else [])
                if a.get("name") == "slug"
            ),
            None,
        )
        if alias:
            data["slug"] = alias
        data.update({"title": title, "language": language})
        if date:
            data["date"] = date
        data["speakers"] = self.speakers
        data["turns"] = self.turns
        return data

    def _walk(self, element: etree._Element, section: str) -> None:
        for child in element:
            name = local_name(child)
            if name in HEADINGS or name == "from":
                continue
            if name in SECTIONS:
                heading = " ".join(text_of(self._find(child, h)) for h in ("num", "heading", "subheading"))
                self._walk(child, collapse(heading) or section)
            elif name in SPEECHES:
                self._speech(child, SPEECHES[name], section)
            elif name in NARRATIVES:
                text = self._text(child)
                if text:
                    self._ensure("")
                    self._add("", "narrative", text, section)

    def _speech(self, element: etree._Element, kind: str, section: str) -> None:
        printed = text_of(self._find(element, "from")).rstrip(":： ").strip()
        by = (element.get("by") or "").strip()
        name = printed
        if by:
            reference = self.references.get(by.lstrip("#"))
            if reference is None:
                raise element_error(
                    self.source, element, f'by="{by}" names no TLCPerson or TLCRole of the references'
                )
            name = collapse(reference.get("showAs") or "") or by.lstrip("#")
            if reference.get("href") == UNNAMED_HREF:
                name = ""  # what our export writes for the unnamed speaker
            entry = self._ensure(name, href=reference.get("href") or "" if name else "")
            if local_name(reference) == "TLCRole" and name:
                # A chair's title stands for whoever held the role, not for one person.
                entry["kind"] = "role"
            if printed and printed != name and printed not in entry["aliases"]:
                entry["aliases"].append(printed)
        else:
            self._ensure(name)
        if kind == "statement" and "moderator" in (element.get("as") or "").lstrip("#").split():
            kind = "moderator"
        text = self._text(element)
        if not text:
            return
        turn = self._add(name, kind, text, section)
        ref_id = element.get("eId") or element.get("id")
        if kind == "question" and ref_id:
            self.question_ids[ref_id] = len(self.turns)
        if kind == "answer":
            question = self.question_ids.get((element.get("refersTo") or "").lstrip("#"))
            if question is not None:
                turn["reply_to"] = question

    def _text(self, element: etree._Element) -> str:
        """One line per block (`<p>`...); inline markup (`<quantity>`, `<person>`) stays in its line."""
        blocks = [c for c in element if local_name(c) in BLOCKS]
        if not blocks:
            return text_of(element) if local_name(element) in NARRATIVES or not len(element) else ""
        lines = [text_of(b) for b in blocks]
        if element.text and element.text.strip():
            lines.insert(0, collapse(element.text))
        return "\n".join(line for line in lines if line)

    def _ensure(self, name: str, href: str = "") -> dict[str, Any]:
        for entry in self.speakers:
            if entry["name"] == name:
                return entry
        entry = {"name": name, "aliases": []}
        if href:
            entry["identifiers"] = {"akoma-ntoso": href}
        self.speakers.append(entry)
        return entry

    def _add(self, speaker: str, kind: str, text: str, section: str) -> dict[str, Any]:
        turn: dict[str, Any] = {"speaker": speaker, "kind": kind, "text": text}
        if section:
            turn["section"] = section
        self.turns.append(turn)
        return turn


def _date(value: str | None) -> str:
    try:
        return dt.date.fromisoformat((value or "")[:10]).isoformat()
    except ValueError:
        return ""
