"""What an exporter is: a named format that renders transcripts as text."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from archive.models import Speaker, Transcript, Turn
from archive.people import hidden


class Exporter:
    """One export format.

    `render` gives one transcript as a whole file; `stream` gives many as one
    stream (an NDJSON dump, one CSV). Formats that only make sense one transcript
    per file (`one_file_per_transcript`) are written into a folder when several
    transcripts are exported, unless the format has a document that holds many
    (`corpus`: TEI's `<teiCorpus>`), which the bulk export streams.
    """

    name: str = ""
    extension: str = ""
    content_type: str = "text/plain; charset=utf-8"
    one_file_per_transcript: bool = False
    corpus: bool = False
    description: str = ""

    def header(self) -> str:
        return ""

    def render(self, transcript: Transcript) -> str:
        raise NotImplementedError

    def stream(self, transcripts: Iterable[Transcript]) -> Iterator[str]:
        header = self.header()
        if header:
            yield header
        for transcript in transcripts:
            yield self.render(transcript)

    def filename(self, transcript: Transcript) -> str:
        return f"{transcript.slug}.{self.extension}"

    def unavailable(self, transcript: Transcript, turns: Iterable[Turn] | None = None) -> str:
        """Why this transcript cannot be given in this format at all ("" when it can).

        `turns`: the transcript's turns when the caller has them (else its prefetched ones).
        The site hides the link and the API answers 400 with this reason; the export
        command still writes the (empty) file and says so in its notices.
        """
        return ""

    def notices(self, transcript: Transcript) -> list[str]:
        """What the export of this transcript leaves out, for the person exporting (stderr)."""
        return []


def speaker_label(name: str) -> str:
    """How readable exports show a speaker; a document's unnamed speaker has an empty name."""
    return name or "Unnamed speaker"


def speaker_identifiers(speaker: Speaker) -> dict[str, str]:
    """A person's external identities (`{"wikidata": "Q11621"}`), for TEI, Akoma Ntoso and Popolo.

    The one place exports read them; none for a member of the public outside a curator's view.
    """
    if hidden(speaker):
        return {}
    return {str(k): str(v) for k, v in speaker.identifiers.items()}


def identifiers_by_name(transcript: Transcript) -> dict[str, dict[str, str]]:
    """The document's speaker name -> that person's identifiers (see `speaker_identifiers`)."""
    return {a.name: speaker_identifiers(a.speaker) for a in transcript.appearances.all()}
