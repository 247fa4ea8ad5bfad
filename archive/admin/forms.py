"""Forms of the admin's own pages: import, choose a topic, choose a merge target."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from archive.importers import supported_extensions
from archive.models import Speaker, Topic, Transcript


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:  # type: ignore[override]
        items = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if not items and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class ImportForm(forms.Form):
    upload = MultipleFileField(label="Files")
    dry_run = forms.BooleanField(
        required=False, label="Dry run: check every document and report, but write nothing"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read at each request: formats registered by other modules appear by themselves.
        extensions = supported_extensions()
        self.fields["upload"].widget.attrs["accept"] = ",".join(extensions)
        self.fields["upload"].help_text = (
            f"One or more files: {', '.join(extensions)}, each at most "
            f"{settings.IMPORT_UPLOAD_MAX_BYTES / 1024 / 1024:g} MB. A document whose slug is already in "
            "the archive replaces that transcript."
        )


class TopicChoiceForm(forms.Form):
    topic = forms.ModelChoiceField(queryset=Topic.objects.all())

    def __init__(self, *args: Any, admin_site: AdminSite, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].widget = AutocompleteSelect(
            Transcript._meta.get_field("topics"),  # type: ignore[arg-type]
            admin_site,
            attrs={"style": "width: 24em", "aria-label": "Topic"},
        )
        self.fields["topic"].widget.choices = self.fields["topic"].choices  # type: ignore[attr-defined]


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(
        queryset=Speaker.objects.none(),
        widget=forms.RadioSelect,
        label="Keep this speaker",
        empty_label=None,
    )

    def __init__(self, *args: Any, speakers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["target"]
        field.queryset = speakers  # type: ignore[attr-defined]
        field.label_from_instance = _speaker_choice_label  # type: ignore[attr-defined]


def _speaker_choice_label(speaker: Speaker) -> str:
    turns = getattr(speaker, "turn_count", None)
    transcripts = getattr(speaker, "transcript_count", None)
    counts = f" — {turns} turns in {transcripts} transcripts" if turns is not None else ""
    return f"{speaker.name} ({speaker.slug}){counts}"
