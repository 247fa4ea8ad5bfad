"""What every developer tool shares with the command that runs it: where its lines go, how it stops."""

from __future__ import annotations

from collections.abc import Callable

# One line of a tool's report, written without its newline (a command's `self.stdout.write`).
Write = Callable[[str], None]


class DevToolError(Exception):
    """A tool cannot go on (a missing file, a failed step); its command reports it as a CommandError."""
