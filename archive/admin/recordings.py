"""A transcript's recordings (inline) and its time curation: shift all times, or take them
from a WebVTT/SRT file, turn by turn."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from archive.models import Recording, Turn
from archive.recordings import RecordingError, check_type, check_url, max_upload_bytes, type_for_file
from archive.timing import TimesError, turns_shift_times, turns_times_from_subtitles


class RecordingForm(forms.ModelForm):
    class Meta:
        model = Recording
        fields = ["position", "url", "file", "type", "label"]
        help_texts = {
            "url": "A recording on another site (its origin must be in MEDIA_ALLOWED_ORIGINS), or",
            "file": "a file to upload (audio or video).",
            "type": "Media type (audio/mpeg, video/mp4...). Left empty, it follows the file's extension.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].required = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        url = (cleaned.get("url") or "").strip()
        upload = cleaned.get("file")
        if url and upload:
            self.add_error("url", "Give a URL or upload a file, not both.")
            return cleaned
        if not url and not upload:
            if "file" not in self.errors:
                self.add_error("url", "Give the recording's URL or upload its file.")
            return cleaned
        if url:
            try:
                source = check_url(url)
            except RecordingError as exc:
                self.add_error("url", exc.message)
                return cleaned
            cleaned["url"] = source.url
            if source.file_name:  # the archive's own address of a stored file
                cleaned["file"] = source.file_name
        if isinstance(upload, UploadedFile) and upload.size is not None and upload.size > max_upload_bytes():
            self.add_error(
                "file",
                f"The file is {upload.size / 1024 / 1024:.1f} MB; a recording may be at most "
                f"{max_upload_bytes() // 1024 // 1024} MB (RECORDING_MAX_UPLOAD_MB).",
            )
            return cleaned
        kind = (cleaned.get("type") or "").strip()
        if not kind and upload:
            kind = type_for_file(getattr(upload, "name", "") or "")
            if not kind:
                self.add_error("type", "Say the media type: the file's extension does not tell it.")
                return cleaned
        try:
            cleaned["type"] = check_type(kind)
        except RecordingError as exc:
            self.add_error("type", exc.message if kind else "Say the recording's media type.")
        return cleaned


class RecordingInline(admin.TabularInline):
    model = Recording
    form = RecordingForm
    fields = ("position", "url", "file", "type", "label")
    extra = 0
    verbose_name = "recording"
    verbose_name_plural = "recordings (turn times count from the start of the first)"


class ShiftTimesForm(forms.Form):
    offset = forms.FloatField(
        label="Offset in seconds",
        help_text="Added to every start and end (negative moves them earlier).",
    )


class SubtitleTimesForm(forms.Form):
    subtitles = forms.FileField(
        label="WebVTT or SRT file",
        help_text="Cue 1 gives turn 1 its start and end, cue 2 turn 2, and so on: the file must have "
        "one cue per turn.",
    )

    def clean_subtitles(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["subtitles"]
        name = (upload.name or "").lower()
        if not name.endswith((".vtt", ".srt")):
            raise ValidationError("Choose a .vtt or .srt file.")
        return upload


def times_view(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str) -> HttpResponse:
    """Shift every time of a transcript, or take its times from a subtitle file, turn by turn."""
    transcript = model_admin.get_object(request, object_id)
    if transcript is None:
        raise Http404("No such transcript.")
    if not model_admin.has_change_permission(request, transcript):
        raise PermissionDenied
    shift = ShiftTimesForm(request.POST if "shift" in request.POST else None, prefix="shift")
    subtitles = SubtitleTimesForm(
        request.POST if "subtitles" in request.POST else None,
        request.FILES if "subtitles" in request.POST else None,
        prefix="subtitles",
    )
    change_url = reverse("admin:archive_transcript_change", args=[transcript.pk])
    try:
        if shift.is_valid():
            offset = shift.cleaned_data["offset"]
            count = turns_shift_times(transcript, offset)
            model_admin.log_change(request, transcript, f"Times shifted by {offset:g} s.")
            model_admin.message_user(request, f"Shifted the times of {count} turn(s) by {offset:g} s.")
            return HttpResponseRedirect(change_url)
        if subtitles.is_valid():
            upload = subtitles.cleaned_data["subtitles"]
            count = turns_times_from_subtitles(transcript, upload.read(), upload.name or "subtitles")
            model_admin.log_change(request, transcript, f"Times taken from {upload.name}.")
            model_admin.message_user(request, f"Took the times of {count} turn(s) from {upload.name}.")
            return HttpResponseRedirect(change_url)
    except TimesError as exc:
        form = shift if exc.field == "offset" else subtitles
        form.add_error("offset" if exc.field == "offset" else "subtitles", exc.message)
    timed = Turn.objects.filter(transcript=transcript).exclude(start=None).count()
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Times of “{transcript.title}”",
        "subtitle": None,
        "opts": model_admin.model._meta,
        "transcript": transcript,
        "change_url": change_url,
        "shift_form": shift,
        "subtitles_form": subtitles,
        "turn_count": Turn.objects.filter(transcript=transcript).count(),
        "timed_count": timed,
        "media": model_admin.media,
    }
    return TemplateResponse(request, "admin/archive/transcript/times.html", context)
