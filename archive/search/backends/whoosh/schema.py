"""The index's schema, and the Whoosh document made of an IndexDocument.

One text field per analysis key for the turn's own text (`text_<key>`), one for the aligned
translations' text (`trans_<key>`) and one for the title (`title_<key>`), each with that key's
analyzer (`archive.search.analysis`, made Whoosh analyzers in `analyzers.py`), plus the speaker's
names and topic labels, and keyword/numeric fields for filters, facets and sorting.

Whoosh pickles the schema, field types and analyzers included, into the index: what it names must
stay importable at the same path (or the index be rebuilt).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from whoosh import columns
from whoosh import fields as wf

from archive.search import analysis
from archive.search.backends.whoosh.analyzers import whoosh_analyzer_for
from archive.search.documents import IndexDocument

GENERIC = "generic"
TITLE_BOOST = 1.2
NAMES_BOOST = 1.2
TRANSLATION_BOOST = 0.8
TEXT_PREFIXES = ("text_", "trans_", "title_")

# Values remembered per field: the turns of one transcript arrive together, so the last few
# titles (or speakers' names) are all that repeats.
_REMEMBERED = 64


class RepeatedText(wf.TEXT):  # type: ignore[misc]
    """A TEXT field for values many documents share (a transcript's title on each of its turns).

    `index()` is what a build spends its time on: the analysis and the encoding of postings.
    Every turn of a transcript carries the same title and mostly the same few speakers, so the
    result for a value is remembered and reused; the postings are identical to TEXT's.
    """

    def index(self, value: Any, **kwargs: Any) -> Any:
        if kwargs or not isinstance(value, str):
            return super().index(value, **kwargs)
        memo: dict[str, list[Any]] | None = self.__dict__.get("_memo")
        if memo is None:
            memo = self.__dict__["_memo"] = {}
        found = memo.get(value)
        if found is None:
            if len(memo) >= _REMEMBERED:
                memo.clear()
            found = memo[value] = list(super().index(value))
        return found

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_memo", None)  # a cache, never part of the pickled schema
        return state


def build_schema() -> wf.Schema:
    # Few indexed keyword fields (each costs a posting per document at build time); what only
    # sorts or facets is a column.
    schema = wf.Schema(
        turn_id=wf.ID(unique=True),
        transcript_id=wf.ID,
        stored=wf.STORED,  # (turn id, transcript id, fingerprint): what check_index compares
        lang=wf.KEYWORD(lowercase=False, scorable=False),  # "zh-hans zh": exact tag and base language
        kind=wf.ID(sortable=True),
        answered=wf.ID(sortable=True),  # a question's answer status; absent when not assessed
        speaker=wf.ID(sortable=True),
        topic=wf.KEYWORD(commas=True, lowercase=False, scorable=False),
        day=wf.ID,  # YYYYMMDD, for date ranges
        slug=wf.COLUMN(columns.VarBytesColumn()),
        position=wf.COLUMN(columns.NumericColumn("I")),
        date=wf.COLUMN(columns.NumericColumn("I")),  # ordinal day, 0 without a date
        language=wf.COLUMN(columns.RefBytesColumn()),
        year=wf.COLUMN(columns.RefBytesColumn()),
        topic_set=wf.COLUMN(columns.VarBytesColumn()),  # comma-joined slugs: the topic facet reads it
        present_fields=wf.COLUMN(columns.VarBytesColumn()),  # which text fields the document has (scoring)
        # Shared by many turns (a speaker's, a transcript's): analyzed once per value at build time.
        speaker_names=RepeatedText(
            analyzer=whoosh_analyzer_for(GENERIC), field_boost=NAMES_BOOST, phrase=True
        ),
        topic_labels=RepeatedText(analyzer=whoosh_analyzer_for(GENERIC), phrase=True),
    )
    for key in analysis.ANALYSIS_KEYS:
        analyzer = whoosh_analyzer_for(key)
        schema.add(f"text_{key}", wf.TEXT(analyzer=analyzer, phrase=True))
        schema.add(f"trans_{key}", wf.TEXT(analyzer=analyzer, phrase=True, field_boost=TRANSLATION_BOOST))
        schema.add(f"title_{key}", RepeatedText(analyzer=analyzer, phrase=False, field_boost=TITLE_BOOST))
    return schema


def whoosh_fields(doc: IndexDocument) -> dict[str, Any]:
    """The Whoosh document for one IndexDocument."""
    language = doc.language
    tag = language.lower()
    base = tag.split("-")[0]
    fields: dict[str, Any] = {
        "turn_id": str(doc.turn_id),
        "transcript_id": str(doc.transcript_id),
        "stored": (doc.turn_id, doc.transcript_id, doc.fingerprint),
        "lang": tag if tag == base else f"{tag} {base}",
        "kind": doc.kind,
        "speaker": doc.speaker,
        "topic": ",".join(doc.topics),
        "slug": doc.slug.encode("utf-8"),
        "position": doc.position,
        "language": language.encode("utf-8"),
        "topic_set": ",".join(doc.topics).encode("utf-8"),
        "speaker_names": "\n".join([*doc.speaker_names, doc.speaker.replace("-", " ")]),
        "topic_labels": "\n".join(label for _, label in doc.topic_labels),
        f"text_{analysis.analysis_key(language)}": doc.text,
        f"title_{analysis.analysis_key(doc.title_language)}": doc.title,
    }
    translations: dict[str, list[str]] = defaultdict(list)
    for tag_, text in doc.translations:
        translations[analysis.analysis_key(tag_)].append(text)
    for key, texts in translations.items():
        fields[f"trans_{key}"] = "\n".join(texts)
    fields["present_fields"] = ",".join(sorted(f for f in fields if f.startswith(TEXT_PREFIXES))).encode()
    if doc.answer_status:
        fields["answered"] = doc.answer_status
    if doc.date is not None:
        fields["date"] = doc.date.toordinal()
        fields["day"] = doc.date.strftime("%Y%m%d")
        fields["year"] = str(doc.date.year).encode("ascii")
    return fields


def field_key(fieldname: str) -> str:
    for head in ("text_", "trans_", "title_"):
        if fieldname.startswith(head):
            return fieldname[len(head) :]
    return GENERIC
