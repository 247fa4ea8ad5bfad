"""TEI in: Parla-CLARIN and ParlaMint sittings (`<TEI>`, or a `<teiCorpus>` of them).

One `<TEI>` is one transcript (docs/interchange-standards.md has the whole mapping):

* slug from the TEI's `xml:id`; title and event from the `titleStmt`'s main and sub titles
  in the text's language; date from the `settingDesc` (else the `sourceDesc` bibl); place from
  the setting's names; language from `xml:lang` on `<text>` (else `<TEI>`); license from
  `<availability>`; source from the bibl's `idno`.
* Speakers from the `listPerson` of the headers, or of a ParlaMint `*listPerson.xml` file
  beside the sitting: a name in every language the
  `persName`s give, their `occupation` or `roleName`, and their `idno`s as identifiers.
  Without any listPerson (the siParl files), a speaker is named as printed by the
  `<note type="speaker">` before the utterance.
* Each `<u>` of the `<body>` is a turn: `ana="#chair"` a moderator, `#question`/`#answer`
  those kinds, else a statement; its `<seg>`s are paragraphs; `xml:lang` on the `<u>` (or on
  all its segs) is the turn's language; `<gap>` shows as "[…]"; a `<note>`, `<vocal>`,
  `<kinesic>` or `<incident>` inside an utterance stays in it as a "(…)" paragraph, and
  outside one becomes a `narrative` turn (a speaker note or time stamp of the record too).
* The `<head>` of the innermost `<div>` around a turn is its `section`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.text import slugify
from lxml import etree

from archive.importers.base import RawDocument
from archive.importers.xml_input import (
    TEI_NS,
    XML_ID,
    XML_LANG,
    collapse,
    element_error,
    local_name,
    namespace,
    parse_xml,
    text_of,
)
from archive.interchange import FORMAT_NAME, DocumentError

GAP = "[…]"
# Kept with the turn when inside a <u>, a narrative turn outside one.
EVENTS = frozenset({"note", "vocal", "kinesic", "incident"})
ANA_KINDS = {"chair": "moderator", "question": "question", "answer": "answer", "narrative": "narrative"}


def identifier_scheme(kind: str) -> str:
    """An `idno`'s type (and language) as the format's scheme: lower case letters, digits, _ and -
    ("wikimedia" in Slovene: "wikimedia-sl"; "URI": "uri")."""
    scheme = re.sub(r"[^a-z0-9_-]+", "-", kind.lower()).strip("-")[:40]
    return scheme if scheme[:1].isalpha() else f"id-{scheme}"[:40]


def _q(name: str) -> str:
    return f"{{{TEI_NS}}}{name}"


@dataclass
class Person:
    id: str
    name: str
    names: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    role: str = ""
    identifiers: dict[str, str] = field(default_factory=dict)

    def entry(self, name: str) -> dict[str, Any]:
        entry: dict[str, Any] = {"name": name, "names": dict(self.names), "aliases": list(self.aliases)}
        if self.role:
            entry["role"] = self.role
        if self.identifiers:
            entry["identifiers"] = dict(self.identifiers)
        return entry


def parse_tei(content: bytes, source: str, persons_file: Path | None = None) -> Iterator[RawDocument]:
    """The transcripts of a TEI file (one per `<TEI>`), or the error that rejects it."""
    try:
        root = parse_xml(content, source)
        if namespace(root) != TEI_NS or local_name(root) not in {"TEI", "teiCorpus"}:
            raise element_error(
                source, root, "is not a TEI document (<TEI> or <teiCorpus> in the TEI namespace)"
            )
        people: dict[str, Person] = {}
        if persons_file is not None:
            people.update(read_persons_file(persons_file))
        people.update(_persons(root.iter(_q("person")), source))
        texts = [root] if local_name(root) == "TEI" else list(root.iter(_q("TEI")))
        if not texts:
            raise element_error(source, root, "holds no <TEI> sitting")
    except DocumentError as exc:
        yield RawDocument(source, error=exc)
        return
    for tei in texts:
        try:
            yield RawDocument(source, line=None, data=_document(tei, source, people, has_list=bool(people)))
        except DocumentError as exc:
            yield RawDocument(source, error=exc)


def find_persons_file(folder: Path) -> Path | None:
    """A ParlaMint `*-listPerson.xml` (or `listPerson.xml`) in the sitting's folder, if there is one."""
    if not folder.is_dir():
        return None
    found = sorted(p for p in folder.glob("*listPerson.xml") if p.is_file())
    return found[0] if found else None


def read_persons_file(path: Path) -> dict[str, Person]:
    source = str(path)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"cannot be read: {exc.strerror or exc}", source=source) from None
    root = parse_xml(content, source)
    if namespace(root) != TEI_NS:
        raise element_error(source, root, "is not a TEI listPerson file")
    return _persons(root.iter(_q("person")), source)


def _persons(elements: Iterator[etree._Element], source: str) -> dict[str, Person]:
    people: dict[str, Person] = {}
    for element in elements:
        person_id = element.get(XML_ID)
        if not person_id:
            continue
        name = ""
        names: dict[str, str] = {}
        aliases: list[str] = []
        for pers in element.findall(_q("persName")):
            text = _pers_name(pers)
            if not text:
                continue
            lang = pers.get(XML_LANG)
            if lang:
                names.setdefault(lang, text)
            elif not name and pers.get("type") != "alias":
                name = text
            elif text not in aliases:
                aliases.append(text)
        role = text_of(element.find(_q("occupation"))) or text_of(
            element.find(f"{_q('persName')}/{_q('roleName')}")
        )
        identifiers: dict[str, str] = {}
        for idno in element.findall(_q("idno")):
            value = text_of(idno)
            if not value:
                continue
            key = idno.get("type") or "idno"
            if idno.get(XML_LANG):
                key = f"{key}-{idno.get(XML_LANG)}"
            identifiers.setdefault(identifier_scheme(key), value)
        people[person_id] = Person(
            person_id, name, names, [a for a in aliases if a != name], role, identifiers
        )
    return people


def _pers_name(pers: etree._Element) -> str:
    """`Milan Kučan` from `<surname>Kučan</surname><forename>Milan</forename>`, or the plain text."""
    forenames = [text_of(e) for e in pers.findall(_q("forename"))]
    surnames = [text_of(e) for e in pers.findall(_q("surname"))]
    if forenames or surnames:
        return collapse(" ".join([*forenames, *surnames]))
    return text_of(pers)


def _document(
    tei: etree._Element, source: str, people: dict[str, Person], *, has_list: bool
) -> dict[str, Any]:
    header = tei.find(_q("teiHeader"))
    text = tei.find(_q("text"))
    if header is None or text is None:
        raise element_error(source, tei, "needs a <teiHeader> and a <text>")
    language = text.get(XML_LANG) or tei.get(XML_LANG) or ""
    if not language:
        raise element_error(
            source, text, "has no xml:lang (nor has its <TEI>): the transcript's language is required"
        )
    body = text.find(_q("body"))
    if body is None:
        raise element_error(source, text, "has no <body>")

    title_stmt = header.find(f"{_q('fileDesc')}/{_q('titleStmt')}")
    titles = title_stmt.findall(_q("title")) if title_stmt is not None else []
    title = _title(titles, "main", language) or " — ".join(
        t for t in (text_of(x) for x in titles if not x.get("type")) if t
    )
    if not title:
        raise element_error(source, title_stmt if title_stmt is not None else header, "gives no <title>")
    event = _title(titles, "sub", language)

    setting = header.find(f"{_q('profileDesc')}/{_q('settingDesc')}/{_q('setting')}")
    bibl = header.find(f"{_q('fileDesc')}/{_q('sourceDesc')}/{_q('bibl')}")
    date = _when(setting.find(_q("date")) if setting is not None else None) or _when(
        bibl.find(_q("date")) if bibl is not None else None
    )
    undated = setting is not None and any(d.get("type") == "unknown" for d in setting.iterfind(_q("date")))
    if not date and not undated:
        where = setting if setting is not None else header
        raise element_error(
            source, where, "gives no date: the sitting's date is read from settingDesc/setting/date/@when"
        )
    place = (
        ", ".join(text_of(n) for n in setting.findall(_q("name")) if text_of(n))
        if setting is not None
        else ""
    )

    data: dict[str, Any] = {"format": FORMAT_NAME}
    # The slug our export writes, else one from the sitting's xml:id (ParlaMint ids are unique).
    slug = text_of(header.find(f"{_q('fileDesc')}/{_q('publicationStmt')}/{_q('idno')}[@type='slug']"))
    tei_id = tei.get(XML_ID)
    if slug:
        data["slug"] = slug
    elif tei_id:
        data["slug"] = slugify(tei_id, allow_unicode=True)[:200].strip("-") or None
    data.update({"title": title, "date": date or None, "language": language})
    if event:
        data["event"] = event
    if place:
        data["place"] = place
    source_url = _source_url(bibl)
    if source_url:
        data["source_url"] = source_url
    license = _license(header.find(f"{_q('fileDesc')}/{_q('publicationStmt')}/{_q('availability')}"))
    if license:
        data["license"] = license
    abstract = header.find(f"{_q('profileDesc')}/{_q('abstract')}")
    if abstract is not None:
        description = "\n".join(text_of(p) for p in abstract.findall(_q("p")) if text_of(p))
        if description:
            data["description"] = description

    reader = _BodyReader(source, people, has_list=has_list, language=language, agenda=_agenda(header))
    reader.walk(body, "")
    if not reader.turns:
        raise element_error(source, body, "holds no utterance (<u>) or note to import")
    data["speakers"] = reader.speakers
    data["turns"] = reader.turns
    return data


def _agenda(header: etree._Element) -> dict[str, str]:
    """Segment id -> agenda item, from an `<abstract><list type="agenda">` of pointers (siParl)."""
    agenda: dict[str, str] = {}
    for item in header.iterfind(f"{_q('profileDesc')}/{_q('abstract')}/{_q('list')}/{_q('item')}"):
        title = text_of(item.find(_q("title")))
        for ptr in item.iterfind(_q("ptr")):
            target = (ptr.get("target") or "").lstrip("#")
            if title and target:
                agenda.setdefault(target, title)
    return agenda


def _title(titles: list[etree._Element], kind: str, language: str) -> str:
    candidates = [t for t in titles if t.get("type") == kind and text_of(t)]
    for title in candidates:
        if title.get(XML_LANG) in (language, None):
            return text_of(title)
    return text_of(candidates[0]) if candidates else ""


def _when(element: etree._Element | None) -> str:
    if element is None:
        return ""
    value = (element.get("when") or element.get("from") or "")[:10]
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        return ""


def _source_url(bibl: etree._Element | None) -> str:
    if bibl is None:
        return ""
    for idno in bibl.findall(_q("idno")):
        value = text_of(idno)
        if value.startswith(("http://", "https://")):
            return value
    return ""


def _license(availability: etree._Element | None) -> str:
    if availability is None:
        return ""
    # The <licence> only: the prose of <availability> is no license name.
    licence = availability.find(_q("licence"))
    return (licence.get("target") or text_of(licence)) if licence is not None else ""


@dataclass
class _BodyReader:
    source: str
    people: dict[str, Person]
    has_list: bool
    language: str
    agenda: dict[str, str] = field(default_factory=dict)
    speakers: list[dict[str, Any]] = field(default_factory=list)
    turns: list[dict[str, Any]] = field(default_factory=list)
    _name_of: dict[str, str] = field(default_factory=dict)  # who (or printed name) -> speaker name
    _printed: str = ""  # the last <note type="speaker">, for files without a listPerson

    def walk(self, element: etree._Element, section: str) -> None:
        for child in element:
            name = local_name(child)
            if namespace(child) != TEI_NS:
                continue
            if name == "div":
                heads = [text_of(h) for h in child.findall(_q("head")) if text_of(h)]
                self.walk(child, " — ".join(heads) if heads else section)
            elif name == "u":
                self._utterance(child, section)
            elif name in EVENTS:
                if name == "note" and child.get("type") == "speaker" and not self.has_list:
                    self._printed = text_of(child).rstrip(":： ").strip()
                    continue
                if name == "note" and child.get("type") == "speaker":
                    continue  # the listPerson names the speaker; the printed label adds nothing
                self._narrative(child, section)
            elif name == "gap":
                self._add("", "narrative", GAP, section, child)

    def _speaker_for(self, who: str | None, element: etree._Element, *, strict: bool) -> str:
        """The document's name for a `who` pointer, adding the speaker on first sight."""
        ref = (who or "").split()[0].lstrip("#") if who else ""
        if not ref:
            return self._ensure("", None)
        person = self.people.get(ref)
        if person is not None:
            return self._ensure(ref, person)
        if self.has_list:
            if strict:
                raise element_error(self.source, element, f'who="{who}" names no person of the listPerson')
            return self._ensure("", None)
        # No listPerson: the name as printed before the utterance; unknown-* ids are not people.
        printed = self._printed or ref
        key = printed if ref.startswith("unknown") or not ref else ref
        if key in self._name_of:
            name = self._name_of[key]
            entry = next(s for s in self.speakers if s["name"] == name)
            if printed != name and printed not in entry["aliases"]:
                entry["aliases"].append(printed)
            return name
        return self._ensure(key, Person(key, printed))

    def _ensure(self, key: str, person: Person | None) -> str:
        if key in self._name_of:
            return self._name_of[key]
        if person is None:
            name = ""
            entry: dict[str, Any] = {"name": ""}
        else:
            # The name without a language tag, else the one in the text's language, else any.
            name = (
                person.name or person.names.get(self.language) or next(iter(person.names.values()), person.id)
            )
            taken = {s["name"] for s in self.speakers}
            if name in taken:  # two people of one name: the second keeps their TEI id
                name = f"{name} ({person.id})"
            entry = person.entry(name)
        self._name_of[key] = name
        self.speakers.append(entry)
        return name

    def _utterance(self, u: etree._Element, section: str) -> None:
        speaker = self._speaker_for(u.get("who"), u, strict=True)
        self._printed = ""
        ana = [token.lstrip("#") for token in (u.get("ana") or "").split()]
        kind = next((ANA_KINDS[a] for a in ana if a in ANA_KINDS), "statement")
        paragraphs: list[str] = []
        seg_languages: set[str] = set()
        for child in u:
            name = local_name(child)
            if name == "seg":
                paragraphs.append(_inline(child))
                seg_languages.add(child.get(XML_LANG) or "")
            elif name in EVENTS:
                paragraphs.append(f"({text_of(child)})")
            elif name == "gap":
                paragraphs.append(GAP)
        if not any(p for p in paragraphs) and u.text and u.text.strip():
            paragraphs.append(_inline(u))
        text = "\n".join(p for p in paragraphs if p and p != "()")
        if not text:
            return  # an empty utterance says nothing
        if not section and self.agenda:
            seg_ids = [seg.get(XML_ID) for seg in u.iterfind(_q("seg"))]
            section = next((self.agenda[i] for i in seg_ids if i and i in self.agenda), "")
        language = u.get(XML_LANG) or (seg_languages.pop() if len(seg_languages) == 1 else "")
        self._add(speaker, kind, text, section, u, language=language)

    def _narrative(self, element: etree._Element, section: str) -> None:
        descs = element.findall(_q("desc"))
        paragraphs = [text_of(d) for d in descs] if descs else [text_of(element)]
        text = "\n".join(p for p in paragraphs if p)
        if not text:
            return
        # Who made the noise, when the listPerson knows them ("#opposition.1" is nobody in particular).
        ref = (element.get("who") or "").split(" ")[0].lstrip("#")
        person = self.people.get(ref)
        speaker = self._ensure(ref, person) if person is not None else self._ensure("", None)
        self._add(speaker, "narrative", text, section, element, language=element.get(XML_LANG) or "")

    def _add(
        self, speaker: str, kind: str, text: str, section: str, element: etree._Element, *, language: str = ""
    ) -> None:
        if speaker == "":
            self._ensure("", None)
        turn: dict[str, Any] = {"speaker": speaker, "kind": kind, "text": text}
        if section:
            turn["section"] = section
        if language and language != self.language:
            turn["language"] = language
        self.turns.append(turn)


_INLINE_SPACE = re.compile(r"\s+")


def _inline(element: etree._Element) -> str:
    """A segment's text with gaps shown and notes in parentheses, spaces collapsed."""
    parts: list[str] = [element.text or ""]
    for child in element:
        name = local_name(child)
        if name == "gap":
            parts.append(f" {GAP} ")
        elif name in EVENTS:
            parts.append(f" ({text_of(child)}) ")
        else:
            parts.append("".join(str(t) for t in child.itertext()))
        parts.append(child.tail or "")
    return _INLINE_SPACE.sub(" ", "".join(parts)).strip()
