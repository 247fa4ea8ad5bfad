"""Form fields and widgets that make curators' everyday edits plain text, and big pages cheap."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError

from archive.interchange import LANGUAGE_TAG


class LanguageMapField(forms.CharField):
    """A {language tag: text} map (speaker names, topic labels), edited as lines "tag: text"."""

    def __init__(
        self,
        *,
        example: str = "he: שמעון פרס",
        key: re.Pattern[str] = LANGUAGE_TAG,
        key_name: str = "BCP-47 language tag (e.g. en, zh-Hans, he)",
        **kwargs: Any,
    ) -> None:
        self.example = example
        self.key, self.key_name = key, key_name
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", forms.Textarea(attrs={"rows": 4, "cols": 60, "dir": "auto", "spellcheck": "false"})
        )
        kwargs.setdefault(
            "help_text", f"One per line: a {key_name.split(' (')[0]}, a colon, the text (e.g. “{example}”)."
        )
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return "\n".join(f"{tag}: {text}" for tag, text in value.items())
        return value

    def to_python(self, value: Any) -> dict[str, str]:  # type: ignore[override]
        if isinstance(value, dict):
            return value
        text = super().to_python(value) or ""
        result: dict[str, str] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            tag, colon, name = (part.strip() for part in line.partition(":"))
            if not colon or not name:
                raise ValidationError(f"Line {number}: write “tag: text”, e.g. “{self.example}”.")
            if not self.key.match(tag):
                raise ValidationError(f"Line {number}: “{tag}” is not a {self.key_name}.")
            if tag in result:
                raise ValidationError(f"Line {number}: “{tag}” is given twice.")
            result[tag] = name
        return result


class LinesField(forms.CharField):
    """A list of strings (speaker aliases), one per line; order kept, repeats dropped."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3, "cols": 60, "dir": "auto"}))
        kwargs.setdefault("help_text", "One per line.")
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list):
            return value
        text = super().to_python(value) or ""
        lines = (line.strip() for line in text.splitlines())
        return list(dict.fromkeys(line for line in lines if line))


class PrimedAutocompleteMixin:
    """An admin autocomplete widget that can take its selected labels from a shared dict.

    Django's autocomplete widgets run one query per rendered widget to label the
    selected value; a page of 100 turns would run 200. The formset fills `known_labels`
    (str(pk) -> label) once for all its forms; unknown values fall back to the query.
    """

    known_labels: dict[str, str] | None = None
    allow_multiple_selected: bool
    is_required: bool

    def optgroups(
        self, name: str, value: Sequence[str], attr: Any = None
    ) -> list[tuple[str | None, list[dict[str, Any]], int | None]]:
        selected = [str(v) for v in value if v not in (None, "")]
        known = self.known_labels
        if known is None or any(v not in known for v in selected):
            return super().optgroups(name, value, attr)  # type: ignore[misc]
        options = []
        if not self.is_required and not self.allow_multiple_selected:
            options.append(self.create_option(name, "", "", False, 0))  # type: ignore[attr-defined]
        for v in selected:
            options.append(self.create_option(name, v, known[v], True, len(options)))  # type: ignore[attr-defined]
        return [(None, options, 0)]


class PrimedAutocompleteSelect(PrimedAutocompleteMixin, AutocompleteSelect):
    pass


class PrimedAutocompleteSelectMultiple(PrimedAutocompleteMixin, AutocompleteSelectMultiple):
    pass


def prime_widget(form: forms.BaseForm, field_name: str, labels: dict[str, str]) -> None:
    """Hand `labels` to the (possibly wrapped) primed autocomplete widget of a form field."""
    field = form.fields.get(field_name)
    if field is None:
        return
    widget = getattr(field.widget, "widget", field.widget)  # unwrap RelatedFieldWidgetWrapper
    if isinstance(widget, PrimedAutocompleteMixin):
        widget.known_labels = labels
