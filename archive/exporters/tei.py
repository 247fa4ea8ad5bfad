"""TEI out: one transcript as a Parla-CLARIN `<TEI>` sitting (the encoding of ParlaMint).

What `archive.importers.tei` reads back, so export -> import -> export gives the same file:
the slug in `publicationStmt/idno[@type="slug"]`, title and event as the main and sub titles,
date and place in the `settingDesc`, license in `<availability>`, source as the bibl's `idno`,
description as the `abstract`, speakers in a `listPerson` (every name with its `xml:lang`,
aliases, role as `occupation`, identifiers as `idno`s), turns as `<u>` of `<seg>`s (kind in
`ana`: `#chair`, `#regular`, `#question`, `#answer`), narrative turns as `<incident>`s, and
sections as `<div type="debateSection">` with a `<head>`. Times, topics, status, translations
and explicit reply links are not part of this format (docs/interchange-standards.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from lxml import etree

from archive.exporters.base import Exporter, identifiers_by_name
from archive.exporters.qa_archive import transcript_document
from archive.importers.xml_input import TEI_NS, XML_ID, XML_LANG, collapse, xml_safe
from archive.models import Transcript, TurnKind

ANA = {
    TurnKind.MODERATOR: "#chair",
    TurnKind.QUESTION: "#regular #question",
    TurnKind.ANSWER: "#regular #answer",
    TurnKind.STATEMENT: "#regular",
}
CATEGORIES = [
    ("chair", "Chairperson: leads the session"),
    ("regular", "A speaker other than the chair"),
    ("question", "A question"),
    ("answer", "An answer to a question"),
]
UNDATED = "unknown"
RESERVED_IDS = frozenset([ident for ident, _ in CATEGORIES] + ["speaker_types", "archive", "unnamed"])
# An xml:id we write: an ASCII NCName (slugs may start with a digit, and parsers disagree on
# which letters of recent Unicode versions an NCName may hold).
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")

# The default namespace is keyed None (lxml-stubs type the keys as str only).
_NSMAP: Any = {None: TEI_NS}


def _e(parent: etree._Element | None, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    tag = f"{{{TEI_NS}}}{name}"
    element = etree.Element(tag, nsmap=_NSMAP) if parent is None else etree.SubElement(parent, tag)
    for key, value in attrs.items():
        element.set(XML_LANG if key == "lang" else XML_ID if key == "id" else key, xml_safe(value))
    if text is not None:
        element.text = xml_safe(text)
    return element


def xml_id(prefix: str, text: str, fallback: str) -> str:
    """`text` as an id; prefixed when a category of the taxonomy has it, `fallback` if no NCName."""
    if not _NCNAME.match(text):
        text = f"{prefix}.{text}"
        return text if _NCNAME.match(text) else fallback
    return text if text not in RESERVED_IDS else f"{prefix}.{text}"


def paragraphs(text: str) -> list[str]:
    """A turn's lines as the importer reads them back: spaces collapsed, no empty ones."""
    return [line for line in (collapse(p) for p in text.split("\n")) if line]


def speaking_order(document: dict[str, Any], kinds: set[str] | None = None) -> list[dict[str, Any]]:
    """The named speakers who have turns (of `kinds`), in order of their first turn.

    The order an importer meets them in, so a round trip keeps the speaker list as it is.
    """
    by_name = {s["name"]: s for s in document["speakers"]}
    seen: dict[str, dict[str, Any]] = {}
    for turn in document["turns"]:
        if turn["speaker"] and (kinds is None or turn["kind"] in kinds):
            seen.setdefault(turn["speaker"], by_name[turn["speaker"]])
    return list(seen.values())


def tei_document(transcript: Transcript, *, in_corpus: str = "") -> etree._Element:
    """One sitting as `<TEI>`. `in_corpus`: the prefix of its person ids inside a `<teiCorpus>`
    (ids are unique in a whole XML document), whose header then holds the taxonomy of speakers."""
    document = transcript_document(transcript)
    identifiers = identifiers_by_name(transcript)
    language = document["language"]
    title = collapse(document["title"])
    # Prefixed: a person's id is a speaker slug, which never holds a dot.
    tei = _e(
        None, "TEI", id=xml_id("transcript", f"transcript.{document['slug']}", "transcript"), lang=language
    )
    header = _e(tei, "teiHeader")
    file_desc = _e(header, "fileDesc")
    title_stmt = _e(file_desc, "titleStmt")
    _e(title_stmt, "title", title, type="main", lang=language)
    if document["event"]:
        _e(title_stmt, "title", collapse(document["event"]), type="sub", lang=language)
    publication = _e(file_desc, "publicationStmt")
    _e(publication, "publisher", "Q&A transcript archive")
    _e(publication, "idno", document["slug"], type="slug")
    availability = _e(publication, "availability")
    if document["license"]:
        _e(availability, "licence", document["license"])
    else:
        _e(availability, "p", "No license is given.")
    bibl = _e(_e(file_desc, "sourceDesc"), "bibl")
    _e(bibl, "title", title)
    source = document["source_url"] or ""
    if source.startswith(("http://", "https://")):
        _e(bibl, "idno", source, type="URI")

    if not in_corpus:
        _speaker_types(header)

    profile = _e(header, "profileDesc")
    description = paragraphs(document["description"] or "")
    if description:
        abstract = _e(profile, "abstract")
        for line in description:
            _e(abstract, "p", line)
    setting = _e(_e(profile, "settingDesc"), "setting")
    if document["place"]:
        _e(setting, "name", collapse(document["place"]))
    if document["date"]:
        _e(setting, "date", document["date"], when=document["date"])
    else:  # said outright: a file without a date is refused on import
        _e(setting, "date", type=UNDATED)
    people = speaking_order(document)
    person_ids: dict[str, str] = {}
    if people:
        list_person = _e(_e(profile, "particDesc"), "listPerson")
        for number, speaker in enumerate(people, start=1):
            person_id = in_corpus + xml_id("person", speaker.get("slug") or "", f"speaker-{number}")
            person_ids[speaker["name"]] = person_id
            person = _e(list_person, "person", id=person_id)
            display = collapse(speaker["name"])
            _e(person, "persName", display)
            for tag, name in speaker.get("names", {}).items():
                _e(person, "persName", collapse(name), lang=tag)
            for alias in dict.fromkeys(collapse(a) for a in speaker.get("aliases", [])):
                if alias and alias != display:
                    _e(person, "persName", alias, type="alias")
            if speaker.get("role"):
                _e(person, "occupation", collapse(speaker["role"]))
            for scheme, value in identifiers.get(speaker["name"], {}).items():
                _e(person, "idno", value, type=scheme)

    body = _e(_e(tei, "text", lang=language), "body")
    div: etree._Element | None = None
    section: str | None = None
    for turn in document["turns"]:
        turn_section = collapse(turn.get("section", ""))
        if div is None or turn_section != section:
            div = _e(body, "div", type="debateSection")
            if turn_section:
                _e(div, "head", turn_section)
            section = turn_section
        who = person_ids.get(turn["speaker"])
        if turn["kind"] == TurnKind.NARRATIVE:
            incident = _e(div, "incident")
            if who:
                incident.set("who", f"#{who}")
            for line in paragraphs(turn["text"]):
                _e(incident, "desc", line)
            continue
        u = _e(div, "u")
        if who:
            u.set("who", f"#{who}")
        u.set("ana", ANA.get(turn["kind"], "#regular"))
        if turn.get("language"):
            u.set(XML_LANG, turn["language"])
        for line in paragraphs(turn["text"]):
            _e(u, "seg", line)
    return tei


def _speaker_types(header: etree._Element) -> None:
    """The taxonomy the utterances' `ana` points into (#chair, #question...)."""
    classes = _e(_e(header, "encodingDesc"), "classDecl")
    taxonomy = _e(classes, "taxonomy", id="speaker_types")
    for ident, meaning in CATEGORIES:
        _e(_e(taxonomy, "category", id=ident), "catDesc", meaning)


def corpus_header() -> str:
    """The `<teiHeader>` of the bulk export's `<teiCorpus>`: what it is and the speaker taxonomy."""
    header = _e(None, "teiHeader")
    file_desc = _e(header, "fileDesc")
    _e(_e(file_desc, "titleStmt"), "title", "Q&A transcript archive")
    _e(_e(file_desc, "publicationStmt"), "publisher", "Q&A transcript archive")
    _e(_e(file_desc, "sourceDesc"), "p", "The archive's bulk export: one TEI per transcript.")
    _speaker_types(header)
    return etree.tostring(header, pretty_print=True, encoding="unicode")


class TeiExporter(Exporter):
    name = "tei"
    extension = "tei.xml"
    content_type = "application/tei+xml; charset=utf-8"
    one_file_per_transcript = True
    description = "TEI (Parla-CLARIN / ParlaMint) XML, one sitting per transcript"

    corpus = True

    def render(self, transcript: Transcript) -> str:
        return etree.tostring(
            tei_document(transcript), pretty_print=True, xml_declaration=True, encoding="UTF-8"
        ).decode()

    def stream(self, transcripts: Iterable[Transcript]) -> Iterator[str]:
        """Many sittings as one `<teiCorpus>` (as Parla-CLARIN corpora are), a `<TEI>` each; the
        import reads it back as those transcripts."""
        yield f"<?xml version='1.0' encoding='UTF-8'?>\n<teiCorpus xmlns=\"{TEI_NS}\">\n{corpus_header()}"
        for number, transcript in enumerate(transcripts, start=1):
            sitting = tei_document(transcript, in_corpus=f"s{number}.")
            yield etree.tostring(sitting, pretty_print=True, encoding="unicode")
        yield "</teiCorpus>\n"
