"""Request bodies: JSON whose every failure is a 400, never a 500."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class DocumentJSONParser(JSONParser):
    """DRF's JSON parser, plus what it lets escape: arrays or objects nested past Python's recursion
    limit. (Broken UTF-8 is already a ParseError; NUL characters are refused by validate_document.)"""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - arrays or objects nested too deeply") from None
