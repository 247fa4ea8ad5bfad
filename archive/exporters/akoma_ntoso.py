"""Akoma Ntoso out: one transcript as an Akoma Ntoso 3.0 `<debate>`.

What `archive.importers.akoma_ntoso` reads back, so export -> import -> export gives the same
file: the slug as `FRBRalias name="slug"`, the date as the work's `FRBRdate` and the
preface's `docDate`, the language (a BCP-47 tag) as `FRBRlanguage`, the title as `docTitle`,
speakers as `TLCPerson` references named by `showAs`, turns as `speech`, `question` and
`answer` (`as="#moderator"` for the chair; an answer `refersTo` its question) with one `<p>`
per paragraph, narrative turns as `narrative` (one per paragraph: the element holds one line),
and sections as `debateSection`s with a `heading`.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from archive.exporters.base import Exporter
from archive.exporters.qa_archive import transcript_document
from archive.exporters.tei import paragraphs, speaking_order, xml_id
from archive.importers.xml_input import collapse, xml_safe
from archive.models import Transcript, TurnKind

AKN_NS = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
ELEMENTS = {TurnKind.QUESTION: "question", TurnKind.ANSWER: "answer"}
UNNAMED_ID = "unnamed"
UNNAMED_HREF = "/ontology/person/unnamed"  # the importer reads it as the unnamed speaker
# FRBRdate needs a date; a transcript without one says so, and the importer reads no date from it.
UNDATED = "undated"

# The default namespace is keyed None (lxml-stubs type the keys as str only).
_NSMAP: Any = {None: AKN_NS}


def _e(
    parent: etree._Element | None, element_name: str, text: str | None = None, **attrs: str
) -> etree._Element:
    tag = f"{{{AKN_NS}}}{element_name}"
    element = etree.Element(tag, nsmap=_NSMAP) if parent is None else etree.SubElement(parent, tag)
    for key, value in attrs.items():
        element.set(key, xml_safe(value))
    if text is not None:
        element.text = xml_safe(text)
    return element


def _frbr(parent: etree._Element, level: str, uri: str) -> etree._Element:
    element = _e(parent, level)
    _e(element, "FRBRthis", value=f"{uri}/!main")
    _e(element, "FRBRuri", value=uri)
    return element


def akn_document(transcript: Transcript) -> etree._Element:
    document: dict[str, Any] = transcript_document(transcript)
    slug = document["slug"]
    date = document["date"] or ""
    frbr_date = date or (transcript.created.date().isoformat() if transcript.created else "1970-01-01")
    date_name = "sitting" if date else UNDATED
    work_uri = f"/akn/zz/debaterecord/{frbr_date}/{slug}"
    expression_uri = f"{work_uri}/{document['language']}@"

    root = _e(None, "akomaNtoso")
    debate = _e(root, "debate", name="debate")
    meta = _e(debate, "meta")
    identification = _e(meta, "identification", source="#archive")
    work = _frbr(identification, "FRBRWork", work_uri)
    _e(work, "FRBRalias", value=slug, name="slug")
    _e(work, "FRBRdate", date=frbr_date, name=date_name)
    _e(work, "FRBRauthor", href="#archive")
    _e(work, "FRBRcountry", value="zz")
    expression = _frbr(identification, "FRBRExpression", expression_uri)
    _e(expression, "FRBRdate", date=frbr_date, name=date_name)
    _e(expression, "FRBRauthor", href="#archive")
    _e(expression, "FRBRlanguage", language=document["language"])
    manifestation = _frbr(identification, "FRBRManifestation", f"{expression_uri}.akn")
    _e(manifestation, "FRBRdate", date=frbr_date, name=date_name)
    _e(manifestation, "FRBRauthor", href="#archive")

    references = _e(meta, "references", source="#archive")
    _e(
        references,
        "TLCOrganization",
        eId="archive",
        href="/ontology/organization/qa-archive",
        showAs="Q&A archive",
    )
    speakers = speaking_order(
        document, {TurnKind.STATEMENT, TurnKind.MODERATOR, TurnKind.QUESTION, TurnKind.ANSWER}
    )
    refs: dict[str, str] = {}
    for number, speaker in enumerate(speakers, start=1):
        ref = xml_id("person", speaker.get("slug") or "", f"speaker-{number}")
        refs[speaker["name"]] = ref
        href = f"/ontology/person/{speaker.get('slug') or ref}"
        _e(references, "TLCPerson", eId=ref, href=href, showAs=collapse(speaker["name"]))

    preface = _e(debate, "preface")
    _e(_e(preface, "p"), "docTitle", collapse(document["title"]))
    if date:
        _e(_e(preface, "p"), "docDate", date, date=date)

    body = _e(debate, "debateBody")
    section_element: etree._Element | None = None
    section: str | None = None
    question_ids: dict[int, str] = {}
    last_question: int | None = None
    count = 0
    for position, turn in enumerate(document["turns"], start=1):
        turn_section = collapse(turn.get("section", ""))
        if section_element is None or turn_section != section:
            count += 1
            section_element = _e(body, "debateSection", name="section", eId=f"dbsect_{count}")
            if turn_section:
                _e(section_element, "heading", turn_section)
            section = turn_section
        lines = paragraphs(turn["text"])
        if turn["kind"] == TurnKind.NARRATIVE:
            for line in lines:
                _e(section_element, "narrative", line)
            continue
        count += 1
        element = _e(section_element, ELEMENTS.get(turn["kind"], "speech"), eId=f"turn_{count}")
        name = turn["speaker"]
        if name:
            element.set("by", f"#{refs[name]}")
            _e(element, "from", collapse(name))
        else:  # Akoma Ntoso wants a `by`: the unnamed speaker has a reference of its own
            element.set("by", f"#{UNNAMED_ID}")
            if references.find(f"{{{AKN_NS}}}TLCPerson[@eId='{UNNAMED_ID}']") is None:
                _e(references, "TLCPerson", eId=UNNAMED_ID, href=UNNAMED_HREF, showAs="Unnamed speaker")
        if turn["kind"] == TurnKind.MODERATOR:
            element.set("as", "#moderator")
        if turn["kind"] == TurnKind.QUESTION:
            question_ids[position] = element.get("eId") or ""
            last_question = position
        # Only a pairing the importer's default (the nearest question before) would not give.
        reply_to = turn.get("reply_to")
        if turn["kind"] == TurnKind.ANSWER and reply_to in question_ids and reply_to != last_question:
            element.set("refersTo", f"#{question_ids[reply_to]}")
        for line in lines:
            _e(element, "p", line)
    return root


class AkomaNtosoExporter(Exporter):
    name = "akn"
    extension = "akn.xml"
    content_type = "application/akn+xml; charset=utf-8"
    one_file_per_transcript = True
    description = "Akoma Ntoso 3.0 <debate> XML, one per transcript"

    def render(self, transcript: Transcript) -> str:
        return etree.tostring(
            akn_document(transcript), pretty_print=True, xml_declaration=True, encoding="UTF-8"
        ).decode()
