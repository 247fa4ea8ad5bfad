"""The curators' queue of readers' corrections, and the readers' email alerts."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString

from archive.corrections import CorrectionRefused, correction_accept, correction_reject, text_diff
from archive.models import AlertSubscription, Correction, CorrectionStatus


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = ["created", "turn_link", "status", "summary", "email"]
    list_filter = ["status"]
    list_select_related = ["turn__transcript"]
    date_hierarchy = "created"
    actions = ["accept", "reject"]
    fields = [
        "turn_link",
        "status",
        "original_speaker",
        "proposed_speaker",
        "diff",
        "note",
        "email",
        "reason",
        "created",
        "decided_at",
        "decided_by",
    ]
    readonly_fields = [str(f) for f in fields if f != "reason"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Correction]:
        return super().get_queryset(request).select_related("turn__transcript", "decided_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # corrections come from readers

    @admin.display(description="Turn")
    def turn_link(self, correction: Correction) -> SafeString:
        turn = correction.turn
        return format_html(
            '<a href="{}">{} #{}</a>', turn.get_absolute_url(), turn.transcript.title, turn.position
        )

    @admin.display(description="Proposal")
    def summary(self, correction: Correction) -> str:
        parts = []
        if correction.proposed_text:
            parts.append(f"text ({len(correction.proposed_text)} characters)")
        if correction.proposed_speaker:
            parts.append(f"speaker: {correction.proposed_speaker}")
        return "; ".join(parts) or "(a note only)"

    @admin.display(description="Text: removed and added words")
    def diff(self, correction: Correction) -> SafeString:
        if not correction.proposed_text:
            return format_html("<em>{}</em>", "The text is unchanged.")
        return format_html(
            '<div class="correction-diff">{}</div>',
            text_diff(correction.original_text, correction.proposed_text),
        )

    def _decide(self, request: HttpRequest, queryset: QuerySet[Correction], accept: bool) -> None:
        done = 0
        for correction in queryset.filter(status=CorrectionStatus.PENDING):
            try:
                if accept:
                    correction_accept(correction, curator=request.user)
                else:
                    correction_reject(correction, reason=correction.reason, curator=request.user)
                done += 1
            except CorrectionRefused as refused:
                self.message_user(request, f"{correction.turn}: {refused}", messages.ERROR)
        skipped = queryset.exclude(status=CorrectionStatus.PENDING).count()
        verb = "Accepted and applied" if accept else "Rejected"
        self.message_user(
            request,
            f"{verb} {done} correction(s)." + (f" {skipped} were already decided." if skipped else ""),
        )

    @admin.action(description="Accept and apply the selected corrections", permissions=["change"])
    def accept(self, request: HttpRequest, queryset: QuerySet[Correction]) -> None:
        self._decide(request, queryset, accept=True)

    @admin.action(
        description="Reject the selected corrections (with the reason written on each)",
        permissions=["change"],
    )
    def reject(self, request: HttpRequest, queryset: QuerySet[Correction]) -> None:
        self._decide(request, queryset, accept=False)


@admin.register(AlertSubscription)
class AlertSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "search", "frequency", "confirmed_at", "last_sent_at"]
    list_filter = ["frequency"]
    search_fields = ["email"]
    readonly_fields = ["created", "confirmed_at", "covered_until", "last_sent_at"]
