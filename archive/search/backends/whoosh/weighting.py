"""BM25F as the archive weighs it: a field's average length over the documents that have it."""

from __future__ import annotations

from typing import Any

from whoosh.scoring import BM25F, BM25FScorer, WeightScorer


class PerFieldBM25F(BM25F):  # type: ignore[misc]
    """BM25F whose average field length counts only the documents that have the field.

    Whoosh divides a field's total length by every document of the index, so a language with
    few turns (Chinese among 100k Hebrew and English ones) gets a tiny "average" and its turns,
    seemingly very long, score far below the others.
    """

    def __init__(self, docs_with_field: dict[str, int]) -> None:
        super().__init__()
        self.docs_with_field = docs_with_field

    def scorer(self, searcher: Any, fieldname: str, text: Any, qf: int = 1) -> Any:
        if not searcher.schema[fieldname].scorable:
            return WeightScorer.for_(searcher, fieldname, text)
        return PerFieldBM25FScorer(
            searcher, fieldname, text, self.B, self.K1, qf, self.docs_with_field.get(fieldname)
        )


class PerFieldBM25FScorer(BM25FScorer):  # type: ignore[misc]
    def __init__(
        self, searcher: Any, fieldname: str, text: Any, B: float, K1: float, qf: int, docs: int | None
    ) -> None:
        parent = searcher.get_parent()
        self.idf = parent.idf(fieldname, text)
        total = parent.field_length(fieldname)
        self.avgfl = (total / docs if docs else parent.avg_field_length(fieldname)) or 1
        self.B = B
        self.K1 = K1
        self.qf = qf
        # After avgfl: setup() computes the maximum score that block skipping relies on.
        self.setup(searcher, fieldname, text)
