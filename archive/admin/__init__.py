"""Curation in the Django admin: transcripts with their turns, speakers, topics, import.

Split by concern: `transcripts` (list, change page, bulk actions, import form),
`turns` (the paged inlines), `speakers` (names, merge), `topics`, `filters`,
`fields` (plain-text editors for names and labels, cheap autocomplete widgets), `corrections`
(readers' corrections queue, email alerts).
"""

from __future__ import annotations

from django.contrib import admin

from archive.admin import corrections, redactions, speakers, topics, transcripts

admin.site.site_header = "Q&A archive curation"
admin.site.site_title = "Q&A archive"
admin.site.index_title = "Curation"

__all__ = ["corrections", "redactions", "speakers", "topics", "transcripts"]
