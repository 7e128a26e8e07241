"""Scripted REPL sessions: a line reader that plays lines (and Ctrl-C, Ctrl-D), and a runner."""

from __future__ import annotations

import io

from pnet_expert import KnowledgeBase
from pnet_expert.consult.interview import Interview
from pnet_expert.consult.repl import Repl


class Script:
    """A line reader that plays lines, and raises EOFError or KeyboardInterrupt where the script says."""

    def __init__(self, items: list[str | type[BaseException]], interactive: bool = False) -> None:
        self.items = list(items)
        self.interactive = interactive
        self.prompts: list[str] = []

    def read(self, prompt: str) -> str:
        """The next line of the script (the prompt is kept)."""
        self.prompts.append(prompt)
        if not self.items:
            raise EOFError
        item = self.items.pop(0)
        if isinstance(item, type):
            raise item()
        return item


def session(
    kb: KnowledgeBase,
    *items: str | type[BaseException],
    interactive: bool = False,
    interview: Interview | None = None,
) -> tuple[int, str, Script]:
    """Run a session on scripted input (on ``interview`` when given): exit status, everything printed,
    the reader."""
    out = io.StringIO()
    script = Script(list(items), interactive)
    code = Repl(interview or Interview(kb), script, out).run()
    return code, out.getvalue(), script


def flat(output: str) -> str:
    """The output with white space folded: long messages are wrapped to the width of the text."""
    return " ".join(output.split())
