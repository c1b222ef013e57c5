"""Pure slash-command parser: comment body in, typed commands and typed user errors out. No I/O.

Grammar (inspired by Prow's line-anchored ``/lgtm`` and triagebot's typed parse errors, written from scratch):

* A command is a line of the form ``/name args…``; leading spaces are allowed, except that four or more after
  a blank line (or at the start) make an indented code block. The name is case-insensitive and must be followed
  by whitespace or the end of the line, so ``/usr/bin/env`` and ``/lgtm!`` are prose, not commands. The
  arguments are the rest of the line.
* Ignored: fenced code blocks (``` and ~~~, any info string; an unclosed fence runs to the end), indented code
  blocks, block-quote lines (``>``, e.g. a reply quoting a previous command), HTML comments (also multi-line)
  and anything not at the start of a line (inline code spans, URLs, paths mid-sentence).
* Arguments are split on whitespace; a double-quoted argument may contain spaces (``"good first issue"``).
* Unknown names and wrong arguments become :class:`CommandError` values with a message for the user; nothing
  raises. Who may run a command is decided by the handlers, not here.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    name: str
    args: tuple[str, ...]
    line: int  # 1-based line of the comment body


@dataclass(frozen=True)
class CommandError:
    text: str  # the command line as written, stripped
    line: int
    message: str  # for the user: the bot replies with it


@dataclass(frozen=True)
class CommandSpec:
    """One command's metadata; the parser validates with it and ``help_text()`` renders it."""

    name: str
    summary: str
    arg: str = ""  # what each argument is: "" (none), "user", "label", "cancel" or "text" (a word, as written)
    min_args: int = 0
    max_args: int | None = 0  # None: unbounded
    # Who may run it, checked by the job against GitHub's collaborator permission (bot/governance/permissions.py):
    # "anyone", "maintainer" (write or above; triage for /label, /remove-label, /assign, /unassign) or
    # "maintainer_or_author" (also the or pull request's author). Finer rules
    # (e.g. OWNERS files, "not the author") are the action's own and answered with a refusal.
    who: str = "maintainer"

    @property
    def usage(self) -> str:
        word = {"user": "@user", "label": "label", "cancel": "cancel", "text": "organisation"}.get(self.arg, "")
        if not word:
            return f"/{self.name}"
        if self.min_args == 0:
            return f"/{self.name} [{word}]"
        return f"/{self.name} {word}" + (" […]" if self.max_args is None else "")


SPECS: tuple[CommandSpec, ...] = (
    CommandSpec("assign", "Assign yourself, or the given user, to this issue or pull request.", "user", 0, 1),
    CommandSpec("unassign", "Remove yourself from the assignees."),
    CommandSpec("label", "Add one or more labels; quote a label with spaces (\"good first issue\").", "label", 1, None,
                who="maintainer_or_author"),
    CommandSpec("remove-label", "Remove a label.", "label", 1, 1, who="maintainer_or_author"),
    CommandSpec("lgtm", "Mark the pull request as looking good (not by its author); `cancel` withdraws it.",
                "cancel", 0, 1),
    CommandSpec("approve", "Approve the files you own for OWNERS; `cancel` withdraws the approval.", "cancel", 0, 1),
    CommandSpec("hold", "Block merging until the hold is cancelled with `/hold cancel`.", "cancel", 0, 1),
    CommandSpec("evaluate", "Run the model evaluation on this pull request."),
    CommandSpec("spam", "Close this issue or pull request as spam, with an appeal path; it then counts toward no "
                "metric.", who="maintainer"),
    CommandSpec("remove-lifecycle", "Keep this open: remove its `lifecycle/stale` or `lifecycle/rotten` label (give"
                " `stale` or `rotten`).", "label", 1, 1, who="anyone"),
    CommandSpec("vote", "Open a vote on this decision issue (voters and rules from `votes:` in the config);"
                " `cancel` ends it without a result.", "cancel", 0, 1),
    CommandSpec("affiliation", "Set your own organisation, for the Elephant Factor: `/affiliation Acme Inc` (`none`:"
                " no organisation; end with `since YYYY-MM-DD` to say when it began).", "text", 1, None, who="anyone"),
    CommandSpec("help", "List the commands Steward understands.", who="anyone"),
)

_COMMAND = re.compile(r"/([A-Za-z][A-Za-z0-9_-]*)(?=[ \t]|$)(.*)")
_FENCE = re.compile(r"(`{3,}|~{3,})(.*)")
_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_INLINE_COMMENT = re.compile(r"<!--.*?-->")
_MAX_LABEL = 50  # GitHub's limit on a label name


def specs() -> dict[str, CommandSpec]:
    return {spec.name: spec for spec in SPECS}


def help_text() -> str:
    """A Markdown table of every command, generated from ``SPECS``."""
    rows = ["| Command | What it does |", "| --- | --- |"]
    rows += [f"| `{spec.usage}` | {_cell(spec.summary)} |" for spec in SPECS]
    return "\n".join(rows)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def parse(body: str) -> list[Command | CommandError]:
    """Every command line in ``body``, in order, as a Command or a CommandError."""
    return [_parse_line(text, number) for number, text in _command_lines(body)]


def new_commands(old_body: str, new_body: str) -> list[Command | CommandError]:
    """Commands (and errors) in ``new_body`` beyond those already in ``old_body``, compared as a multiset.

    For a command that appears more often than before, the last occurrences count as the new ones.
    """
    remaining = Counter(key(item) for item in parse(old_body))
    result = []
    for item in parse(new_body):
        k = key(item)
        if remaining[k] > 0:
            remaining[k] -= 1
        else:
            result.append(item)
    return result


def key(item: Command | CommandError) -> tuple[str, ...]:
    """The normalised identity of a command: name plus case-folded arguments (logins and labels are
    case-insensitive on GitHub); an error is identified by its text with whitespace collapsed."""
    if isinstance(item, Command):
        return (item.name, *(arg.casefold() for arg in item.args))
    return ("", " ".join(item.text.split()).casefold())


def _indent(line: str) -> int:
    expanded = line.expandtabs(4)
    return len(expanded) - len(expanded.lstrip(" "))


def _command_lines(body: str) -> list[tuple[int, str]]:
    """(line number, text) of each line that starts with a slash outside code, quotes and comments."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    found: list[tuple[int, str]] = []
    fence = ""  # the opening fence while inside a fenced block
    in_comment = in_indented = False
    prev_blank = True
    for number, line in enumerate(lines, start=1):
        blank = not line.strip()
        indent = _indent(line)
        if in_comment:
            in_comment = "-->" not in line
        elif fence:
            stripped = line.strip()
            if indent < 4 and stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = ""
        elif in_indented and (blank or indent >= 4):
            pass
        elif blank:
            in_indented = False
        elif indent >= 4 and prev_blank:
            in_indented = True
        elif (match := _FENCE.match(line.lstrip(" "))) and indent < 4 and not (
            match.group(1)[0] == "`" and "`" in match.group(2)
        ):
            fence = match.group(1)
            in_indented = False
        else:
            in_indented = False
            text = _INLINE_COMMENT.sub("", line)
            if "<!--" in text:
                text, in_comment = text[: text.index("<!--")], True
            text = text.strip()
            if _COMMAND.match(text):  # block quotes, list items and code spans do not start with "/"
                found.append((number, text))
        prev_blank = blank and not in_comment and not fence
    return found


def _parse_line(text: str, number: int) -> Command | CommandError:
    match = _COMMAND.match(text)
    assert match is not None  # _command_lines only yields matching lines
    name, rest = match.group(1).lower(), match.group(2)
    spec = specs().get(name)
    if spec is None:
        return CommandError(text, number, f"Unknown command `/{name}`. Try `/help` for the list of commands.")
    args = _tokens(rest)
    if isinstance(args, str):
        return CommandError(text, number, f"`/{name}`: {args}. Usage: `{spec.usage}`.")
    count = len(args)
    if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
        return CommandError(text, number, f"`/{name}` {_count_phrase(spec)}. Usage: `{spec.usage}`.")
    normalised = []
    for arg in args:
        value = _check(spec, arg)
        if value is None:
            what = {"user": "is not a valid GitHub user name", "label": "is not a valid label",
                    "cancel": "is not understood (only `cancel` is)", "text": "is too long"}[spec.arg]
            return CommandError(text, number, f"`/{name}`: `{arg}` {what}. Usage: `{spec.usage}`.")
        normalised.append(value)
    return Command(name, tuple(normalised), number)


def _tokens(rest: str) -> list[str] | str:
    """The arguments, or a description of why they cannot be split."""
    tokens = []
    for match in _TOKEN.finditer(rest):
        quoted, bare = match.groups()
        if bare is not None and '"' in bare:
            return "unbalanced quote"
        tokens.append(quoted if quoted is not None else bare)
    return tokens


def _check(spec: CommandSpec, arg: str) -> str | None:
    """The normalised argument, or None if it is not valid for ``spec``."""
    if spec.arg == "user":
        login = arg[1:] if arg.startswith("@") else arg
        return login if _LOGIN.fullmatch(login) else None
    if spec.arg == "label":
        label = arg.strip()
        return label if 0 < len(label) <= _MAX_LABEL else None
    if spec.arg == "text":
        return arg if len(arg) <= 255 else None
    return "cancel" if arg.lower() == "cancel" else None


def _count_phrase(spec: CommandSpec) -> str:
    if spec.max_args == 0:
        return "takes no arguments"
    noun = {"user": "user", "label": "label", "cancel": "argument", "text": "word"}[spec.arg]
    if spec.min_args == 0:
        return f"takes at most one {noun}"
    if spec.max_args is None:
        return f"needs at least one {noun}"
    return f"needs exactly one {noun}"
