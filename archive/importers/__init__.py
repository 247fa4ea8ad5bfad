"""Import formats by file extension (XML by content), and the one pipeline every import goes through.

Each format module turns a file's text into `RawDocument`s holding `qa-archive/1`
dicts; `import_documents` validates each (`archive.interchange`) and writes it
(`archive.services.transcript_import`) in its own transaction. The management
command and the admin's import form both call it, so they accept the same files
and report the same errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, connection, transaction

from archive.importers.akoma_ntoso import parse_akoma_ntoso
from archive.importers.base import RawDocument, decode_text
from archive.importers.language import guess_language
from archive.importers.published import parse_published
from archive.importers.qa_json import parse_json, parse_ndjson, parse_ndjson_lines, read_ndjson
from archive.importers.subtitles import parse_srt, parse_vtt
from archive.importers.tei import find_persons_file, parse_tei
from archive.importers.xml_input import sniff
from archive.interchange import DocumentError, DocumentSpec, unknown_keys, validate_document
from archive.search.analysis import analysis_key
from archive.services import transcript_import

Parser = Callable[[str, str], Iterator[RawDocument]]

IMPORTERS: dict[str, Parser] = {
    ".json": parse_json,
    ".ndjson": parse_ndjson,
    ".vtt": parse_vtt,
    ".srt": parse_srt,
    ".txt": parse_published,
    ".md": parse_published,
}
XmlParser = Callable[[bytes, str], Iterator[RawDocument]]
# XML standards, told apart by the root element (xml_input.sniff), whatever the extension.
XML_IMPORTERS: dict[str, XmlParser] = {"tei": parse_tei, "akn": parse_akoma_ntoso}
XML_EXTENSIONS = frozenset({".xml", ".tei", ".akn"})


def supported_extensions() -> list[str]:
    return sorted([*IMPORTERS, *XML_EXTENSIONS])


def read_content(content: bytes, source: str, folder: Path | None = None) -> Iterator[RawDocument]:
    """The documents in one file's bytes: TEI and Akoma Ntoso by content, others by extension.

    `folder`: where the file lies on disk, for a TEI sitting's person list beside it (an
    upload has none).
    """
    suffix = Path(source).suffix.lower()
    xml_kind = sniff(content)
    if xml_kind == "tei-persons":
        return  # a ParlaMint listPerson file: read by the sittings beside it, no transcript itself
    if xml_kind == "tei":
        try:
            persons = find_persons_file(folder) if folder is not None else None
        except OSError:
            persons = None
        yield from parse_tei(content, source, persons)
        return
    if xml_kind is not None:
        yield from XML_IMPORTERS[xml_kind](content, source)
        return
    if suffix in XML_EXTENSIONS:
        message = "is neither TEI (<TEI>, <teiCorpus>) nor Akoma Ntoso (<akomaNtoso>)"
        yield RawDocument(source, error=DocumentError(message, source=source, line=1))
        return
    parser = IMPORTERS.get(suffix)
    if parser is None:
        message = f"unknown format: import takes {', '.join(supported_extensions())} files"
        yield RawDocument(source, error=DocumentError(message, source=source))
        return
    try:
        text = decode_text(content, source)
    except DocumentError as exc:
        yield RawDocument(source, error=exc)
        return
    yield from parser(text, source)


def read_upload(upload: UploadedFile) -> Iterator[RawDocument]:
    """The documents of a file sent through the admin form: one larger than IMPORT_UPLOAD_MAX_BYTES
    is refused (by name, nothing of it read); NDJSON is read a line at a time from the spooled file."""
    name = upload.name or "upload"
    limit = settings.IMPORT_UPLOAD_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        message = (
            f"is {upload.size:,} bytes; the import form takes files up to {limit:,} bytes "
            "(IMPORT_UPLOAD_MAX_BYTES): import larger files with manage.py import_transcripts"
        )
        yield RawDocument(name, error=DocumentError(message, source=name))
        return
    upload.seek(0)
    if Path(name).suffix.lower() == ".ndjson":
        # The spooled file object itself: its lines split at "\n" only, like read_ndjson's.
        yield from parse_ndjson_lines(upload.file or upload, name)
        return
    yield from read_content(upload.read(), name)


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and files with a known extension found recursively in folders named."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            known = {*IMPORTERS, *XML_EXTENSIONS}
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in known))
        else:
            files.append(path)  # a missing or unknown file is reported, not skipped
    return files


def read_files(files: Iterable[Path]) -> Iterator[RawDocument]:
    for path in files:
        if path.suffix.lower() == ".ndjson" and path.is_file():
            try:
                yield from read_ndjson(path)  # a dump of any size: streamed, not read whole
            except OSError as exc:
                reason = exc.strerror or str(exc)
                yield RawDocument(
                    str(path), error=DocumentError(f"cannot be read: {reason}", source=str(path))
                )
            continue
        try:
            content = path.read_bytes()
        except OSError as exc:
            reason = exc.strerror or str(exc)
            yield RawDocument(str(path), error=DocumentError(f"cannot be read: {reason}", source=str(path)))
            continue
        yield from read_content(content, str(path), folder=path.parent)


@dataclass
class ImportReport:
    documents: int = 0  # imported (or, in a dry run, that would be)
    created: int = 0
    replaced: int = 0
    turns: int = 0
    speakers_created: int = 0
    speakers_linked: int = 0
    errors: list[DocumentError] = field(default_factory=list)
    slugs: list[str] = field(default_factory=list)
    # Keys the format does not know (ignored; `strict` makes each an error instead).
    warnings: list[DocumentError] = field(default_factory=list)
    # (where, tag, why) of each document whose language was not given and was guessed
    guessed: list[tuple[str, str, str]] = field(default_factory=list)
    # (where, tag) of languages with no analysis of their own: searched with the generic analysis
    generic: list[tuple[str, str]] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.errors)

    def summary(self, *, dry_run: bool = False) -> str:
        verb = "would import" if dry_run else "imported"
        lines = [
            f"{verb} {self.documents} documents ({self.created} new, {self.replaced} replaced), "
            f"{self.turns} turns; speakers: {self.speakers_created} created, "
            f"{self.speakers_linked} linked; rejected: {self.rejected}"
        ]
        lines += [f"language guessed: {where}: {tag} ({why})" for where, tag, why in self.guessed]
        lines += [
            f"language {tag} has no analysis of its own (searched as generic): {where}"
            for where, tag in self.generic
        ]
        return "\n".join(lines)


class _DryRunRollback(Exception):
    pass


def import_documents(
    documents: Iterable[RawDocument],
    *,
    dry_run: bool = False,
    strict: bool = False,
    on_document: Callable[[RawDocument, DocumentError | None], None] | None = None,
) -> ImportReport:
    """Validate and write each document in its own transaction; a bad one is rejected whole.

    A dry run goes through the same writes and rolls each back, so it catches
    everything a real run would. Unknown keys are warnings, or with `strict` errors.
    """
    report = ImportReport()
    for raw in documents:
        error = raw.error.located(source=raw.source, line=raw.line) if raw.error else None
        if error is None:
            error = _import_one(raw, report, dry_run=dry_run, strict=strict)
        if error is not None:
            report.errors.append(error)
        if on_document is not None:
            on_document(raw, error)
    if not dry_run and report.turns >= BULK_TURNS:
        _refresh_planner_statistics()
    return report


BULK_TURNS = 50_000  # an import this large changes the tables' statistics


def _refresh_planner_statistics() -> None:
    """ANALYZE the archive's tables after a bulk import (PostgreSQL).

    Until the planner knows a million turns are there, it guesses: `reply_to_id IN (...)` for a
    page's twenty questions read every turn (0.3 s a search at a million turns) instead of the
    index. Autovacuum would analyze them later, or never where it is off.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # every table: it reads a sample of each, seconds at a million turns


def _guess_missing_language(data: Any) -> tuple[str, str] | None:
    """A document without a language gets the guess from its turns' text: (tag, why), or a DocumentError."""
    if not isinstance(data, dict) or data.get("language") or not isinstance(data.get("turns"), list):
        return None
    turns = [t for t in data["turns"] if isinstance(t, dict)]
    text = "\n".join(t["text"] for t in turns if isinstance(t.get("text"), str))
    guess = guess_language(text)
    if guess.tag is None:
        raise DocumentError(
            f"no language given, and cannot tell which language this is ({guess.reason}): "
            'give it one, e.g. "language": "es"',
            key="language",
        )
    data["language"] = guess.tag
    return guess.tag, guess.reason


def _generic_languages(spec: DocumentSpec) -> list[str]:
    """The well-formed tags of a document that no analysis knows (searched as `generic`)."""
    tags = dict.fromkeys([spec.language, *(turn.language for turn in spec.turns if turn.language)])
    return [tag for tag in tags if analysis_key(tag) == "generic"]


def _import_one(
    raw: RawDocument, report: ImportReport, *, dry_run: bool, strict: bool = False
) -> DocumentError | None:
    if not strict:
        report.warnings.extend(w.located(source=raw.source, line=raw.line) for w in unknown_keys(raw.data))
    try:
        guessed = _guess_missing_language(raw.data)
        spec = validate_document(raw.data, strict=strict)
        with transaction.atomic():
            outcome = transcript_import(spec)
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    except DocumentError as exc:
        return exc.located(source=raw.source, line=raw.line)
    except DatabaseError as exc:
        return DocumentError(f"the database refused it: {exc}", source=raw.source, line=raw.line)
    report.documents += 1
    report.created += outcome.created
    report.replaced += not outcome.created
    report.turns += outcome.turns
    report.speakers_created += outcome.speakers_created
    report.speakers_linked += outcome.speakers_linked
    report.slugs.append(outcome.transcript.slug)
    where = f"{raw.where} ({outcome.transcript.slug})"
    if guessed is not None:
        report.guessed.append((where, *guessed))
    report.generic += [(where, tag) for tag in _generic_languages(spec)]
    return None
