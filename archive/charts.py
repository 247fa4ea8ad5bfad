"""Charts drawn on the server as SVG: a speaker's turns by month (coloured by topic) and the
search's hits by year. No script and no inline style: colours are classes of site.css
(`chart__s0` ... `chart__s7`), so the Content-Security-Policy has nothing to allow. Every chart
comes with the same numbers as a table, for screen readers and for reading exact values.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from archive.languages import topic_label
from archive.models import AnswerStatus, Speaker, Topic, Transcript, Turn, TurnKind

SERIES_COLOURS = 7  # chart__s0 .. chart__s6 carry colours; "other" is chart__other (grey)
NO_TOPIC = ""

WIDTH = 720  # the viewBox's; the SVG scales to its container
HEIGHT = 160
MARGIN_BOTTOM = 22
MARGIN_TOP = 8


@dataclass
class Column:
    label: str  # on the axis and in the table ("2014-04", "2019")
    counts: dict[int, int]  # series index -> count
    url: str = ""  # where a click on the column leads (a search filtered to it)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class Chart:
    title: str
    columns: list[Column]
    series: list[str] = field(default_factory=list)  # labels, by index (one series: [""])
    approximate: bool = False
    other: int | None = None  # the index of the catch-all series, drawn in grey

    def css_class(self, series: int) -> str:
        return "chart__other" if series == self.other else f"chart__s{series % SERIES_COLOURS}"

    @property
    def total(self) -> int:
        return sum(c.total for c in self.columns)

    @property
    def legend(self) -> list[tuple[str, str]]:
        """(CSS class, label) of each series, for the key beside the chart."""
        return [(self.css_class(i), label) for i, label in enumerate(self.series) if label]

    def svg(self) -> SafeString:
        return render_svg(self)

    def table_rows(self) -> list[tuple[str, list[int], int]]:
        """(column label, counts by series, total) for the table behind the chart."""
        return [
            (c.label, [c.counts.get(i, 0) for i in range(len(self.series))], c.total) for c in self.columns
        ]


def render_svg(chart: Chart) -> SafeString:
    """Stacked columns, one per entry of `chart.columns`; every value escaped."""
    count = len(chart.columns)
    peak = max((c.total for c in chart.columns), default=0)
    if not count or not peak:
        return mark_safe("")
    plot = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP
    step = WIDTH / count
    bar = max(step * 0.8, 1.0)
    # Axis labels: at most about 12, on a round stride, so long timelines stay legible.
    stride = max(1, -(-count // 12))
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(chart.title)}" '
        f'preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg">',
        f'<line class="chart__axis" x1="0" y1="{HEIGHT - MARGIN_BOTTOM}" '
        f'x2="{WIDTH}" y2="{HEIGHT - MARGIN_BOTTOM}"/>',
    ]
    for index, column in enumerate(chart.columns):
        x = index * step + (step - bar) / 2
        y = float(HEIGHT - MARGIN_BOTTOM)
        label = escape(column.label)
        pieces = []
        for series in sorted(column.counts):
            n = column.counts[series]
            if not n:
                continue
            height = plot * n / peak
            y -= height
            name = chart.series[series] if series < len(chart.series) else ""
            tip = f"{label}: {n}" + (f" ({escape(name)})" if name else "")
            pieces.append(
                f'<rect class="{chart.css_class(series)}" x="{x:.1f}" y="{y:.1f}" '
                f'width="{bar:.1f}" height="{height:.1f}"><title>{tip}</title></rect>'
            )
        group = "".join(pieces)
        if column.url and group:
            group = f'<a href="{escape(column.url)}">{group}</a>'
        parts.append(group)
        if index % stride == 0:
            parts.append(
                f'<text class="chart__label" x="{index * step + step / 2:.1f}" y="{HEIGHT - 6}" '
                f'text-anchor="middle">{label}</text>'
            )
    parts.append("</svg>")
    # Safe: labels, titles and URLs are escaped above; numbers are formatted here.
    return mark_safe("".join(parts))


# -- a speaker's turns by month ------------------------------------------------------------------


def speaker_timeline(turns: QuerySet[Turn], language: str) -> Chart:
    """The speaker's `turns` by month of their transcript's date, stacked by topic: each turn
    counts under its own first topic, else its transcript's; the most frequent topics get a
    colour each, the rest are "other". Months without turns between the first and last show empty."""
    rows = list(
        turns.filter(transcript__date__isnull=False).values_list("pk", "transcript_id", "transcript__date")
    )
    turn_ids = [pk for pk, _, _ in rows]
    own: dict[int, str] = {}
    for turn_id, slug in (
        Turn.topics.through.objects.filter(turn_id__in=turn_ids)
        .order_by("turn_id", "topic__slug")
        .values_list("turn_id", "topic__slug")
    ):
        own.setdefault(turn_id, slug)
    of_transcript: dict[int, str] = {}
    transcript_ids = {tid for _, tid, _ in rows}
    for transcript_id, slug in (
        Transcript.topics.through.objects.filter(transcript_id__in=transcript_ids)
        .order_by("transcript_id", "topic__slug")
        .values_list("transcript_id", "topic__slug")
    ):
        of_transcript.setdefault(transcript_id, slug)
    by_month: dict[str, Counter[str]] = defaultdict(Counter)
    for pk, transcript_id, day in rows:
        topic = own.get(pk) or of_transcript.get(transcript_id) or NO_TOPIC
        if day is not None:  # (filtered out above)
            by_month[day.strftime("%Y-%m")][topic] += 1
    totals: Counter[str] = Counter()
    for month_counts in by_month.values():
        totals.update(month_counts)
    coloured = [t for t, _ in sorted(totals.items(), key=lambda item: (-item[1], item[0])) if t][
        :SERIES_COLOURS
    ]
    labels = {t.slug: topic_label(t, language) for t in Topic.objects.filter(slug__in=coloured)}
    series = [labels.get(t, t) for t in coloured] + [_("other or none")]
    other = len(coloured)
    index = {t: i for i, t in enumerate(coloured)}
    columns = []
    for month in _months(sorted(by_month)):
        counts: Counter[int] = Counter()
        for topic, n in by_month.get(month, Counter()).items():
            counts[index.get(topic, other)] += n
        columns.append(Column(label=month, counts=dict(counts)))
    if not any(other in c.counts for c in columns):
        return Chart(title=_("Turns by month, coloured by topic"), columns=columns, series=series[:-1])
    return Chart(title=_("Turns by month, coloured by topic"), columns=columns, series=series, other=other)


def _months(present: list[str]) -> list[str]:
    """Every month from the first to the last of `present` ("YYYY-MM"), gaps included."""
    if not present:
        return []
    year, month = map(int, present[0].split("-"))
    last = tuple(map(int, present[-1].split("-")))
    months = []
    while (year, month) <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


# -- their questions: answered or not ------------------------------------------------------------


@dataclass
class AnswerRecord:
    label: str
    counts: list[tuple[str, str, int]]  # (status, label, count), statuses in AnswerStatus order
    assessed: int
    total: int

    @property
    def unassessed(self) -> int:
        return self.total - self.assessed


def answer_records(speaker: Speaker, turns: QuerySet[Turn], labels: dict[str, str]) -> list[AnswerRecord]:
    """How the speaker's own questions fared, and how they met the questions they replied to."""
    asked = turns.filter(speaker=speaker, kind=TurnKind.QUESTION)
    replied_to = Turn.objects.filter(
        kind=TurnKind.QUESTION, replies__in=turns.filter(speaker=speaker)
    ).distinct()
    records = []
    for label, questions in (
        (_("Questions they asked"), asked),
        (_("Questions they replied to"), replied_to),
    ):
        found = dict(questions.values_list("answer_status").annotate(n=Count("pk", distinct=True)).order_by())
        total = sum(found.values())
        if not total:
            continue
        counts = [(s, labels.get(s, s), found.get(s, 0)) for s in AnswerStatus.values]
        records.append(AnswerRecord(label, counts, total - found.get("", 0), total))
    return records


# -- the search's hits by year -------------------------------------------------------------------


def hits_by_year(years: list[tuple[str, int, str]], *, approximate: bool = False) -> Chart:
    """(year, count, url) from the year facet, in order, the years between included at 0."""
    known = {int(y): (n, url) for y, n, url in years if y.isdecimal()}
    if not known:
        return Chart(title=_("Matching turns by year"), columns=[], series=[""])
    first, last = min(known), max(known)
    last = min(last, max(first, dt.date.today().year + 1))
    columns = [
        Column(
            label=str(y), counts={0: known[y][0]} if y in known else {}, url=known[y][1] if y in known else ""
        )
        for y in range(first, last + 1)
    ]
    return Chart(title=_("Matching turns by year"), columns=columns, series=[""], approximate=approximate)
