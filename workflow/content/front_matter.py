"""YAML front matter: split it from the body, check the known keys, normalize values.

A post may start with a line ``---``; the front matter runs to the next line that is ``---`` or
``...``. Without that closing line the post is skipped with an error naming the first blank line
(where the closing line was probably meant to go). Known keys and what they must hold:

- ``title``, ``author``: text (a bare number is taken as text).
- ``status``: text; ``draft`` marks a post that is not exported.
- ``reviewers``: one email address or a list of them; always comes out as a list.
- ``tags``: a list, or one string of comma-separated tags; always comes out as a list of text.
- ``topic``: the queue topic a draft came from, a number or text.
- ``due``: a date (``2026-12-04``); comes out as an ISO string.
- ``id``: the post's stable id, text or a number; comes out as text.

A known key left empty (``title:``) counts as absent. Unknown keys are kept as they are, with
dates anywhere in them turned into ISO strings.

Front matter is untrusted input (posts come pasted from anywhere), so the YAML is read with
bounds: at most 64 KiB, nesting at most 32 deep, and no aliases (``*name``): a few hundred bytes
of aliases can expand to gigabytes ("billion laughs"). Any of these is a PostError naming the line.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml

from workflow.content.errors import PostError

_OPENING = "---"
_CLOSINGS = ("---", "...")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_FRONT_MATTER_BYTES = 64 * 1024
MAX_NESTING = 32


class _Refused(yaml.MarkedYAMLError):
    """Valid YAML that front matter does not accept (an alias, deep nesting)."""


class _BoundedLoader(yaml.SafeLoader):
    """The safe loader, refusing aliases and deep nesting (with `_Refused` at their mark)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(None, None, f"uses an alias (*{event.anchor}); aliases are not allowed",
                           event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                raise _Refused(None, None, f"is nested more than {MAX_NESTING} levels deep",
                               self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load_yaml(yaml_text: str, path_label: str, first_line: int = 1) -> tuple[Any, yaml.Node | None]:
    """(data, root node) of a YAML document, read within the bounds above.

    Raises PostError naming the file line (the document starts on file line `first_line`).
    """
    size = len(yaml_text.encode("utf-8"))
    if size > MAX_FRONT_MATTER_BYTES:
        raise PostError(path_label, first_line,
                        f"front matter is {size // 1024} KiB; at most {MAX_FRONT_MATTER_BYTES // 1024} KiB is read")
    loader = _BoundedLoader(yaml_text)
    try:
        root = loader.get_single_node()
        return (loader.construct_document(root) if root is not None else None), root
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + first_line if mark is not None else first_line
        problem = getattr(error, "problem", None) or str(error).split("\n")[0]
        what = problem if isinstance(error, _Refused) else f"is not valid YAML: {problem}"
        raise PostError(path_label, line, f"front matter {what}") from None
    finally:
        loader.dispose()


def split_front_matter(text: str, path_label: str) -> tuple[dict, str, int]:
    """Return (meta, body, body_first_line): body_first_line is the file line number of body line 1.

    Raises PostError for front matter that is not closed, not YAML, not a mapping, or holds a
    known key of the wrong type.
    """
    lines = text.split("\n")
    if lines[0].rstrip() != _OPENING:
        return {}, text, 1
    for index in range(1, len(lines)):
        if lines[index].rstrip() in _CLOSINGS:
            closing = index
            break
    else:
        raise PostError(path_label, _missing_closing_line(lines), "front matter is not closed")
    yaml_text = "\n".join(lines[1:closing])
    data, root = load_yaml(yaml_text, path_label, first_line=2)
    meta = _mapping(data, path_label)
    key_lines = _key_lines(root, path_label)
    checked = {}
    for key, value in meta.items():
        name = _normalize(key)
        name = name if isinstance(name, str) else str(name)
        line = key_lines.get(name, 1)
        checked_value = _check_known_key(name, value, path_label, line)
        if checked_value is not _ABSENT:
            checked[name] = checked_value
    body_first_line = closing + 2
    return checked, "\n".join(lines[closing + 1 :]), body_first_line


def _missing_closing_line(lines: list[str]) -> int:
    """Where the closing '---' was probably meant to go: the first blank line, else the last line."""
    for index in range(1, len(lines)):
        if not lines[index].strip():
            return index + 1
    return len(lines)


def _mapping(meta: Any, path_label: str) -> dict:
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        kind = "a list" if isinstance(meta, list) else f"a single value ({meta!r})"
        raise PostError(path_label, 2, f"front matter must be 'key: value' lines, not {kind}")
    return meta


def _key_lines(root: yaml.Node | None, path_label: str) -> dict[str, int]:
    """File line number of each top-level key (the YAML starts on file line 2).

    Raises PostError for a key given twice, which YAML would otherwise settle silently.
    """
    lines: dict[str, int] = {}
    for key, _ in root.value if isinstance(root, yaml.MappingNode) else []:
        line = key.start_mark.line + 2
        if str(key.value) in lines:
            raise PostError(path_label, line, f"front matter '{key.value}' is given twice")
        lines[str(key.value)] = line
    return lines


_ABSENT = object()


def _check_known_key(name: str, value: Any, path_label: str, line: int) -> Any:
    """The normalized value of one front matter key, or _ABSENT for a known key left empty."""

    def fail(message: str) -> PostError:
        return PostError(path_label, line, f"front matter '{name}' {message}")

    if name not in _KNOWN_KEYS:
        return _normalize(value)
    if value is None:
        return _ABSENT
    if name in ("title", "author", "status", "id"):
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise fail(f"must be text, got {_describe(value)} (put it in quotes)")
        text = str(value).strip()
        if not text:
            return _ABSENT
        return text
    if name == "topic":
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise fail(f"must be a topic number or text, got {_describe(value)}")
        return value
    if name == "reviewers":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            raise fail(f"must be an email address or a list of them, got {_describe(value)}")
        for item in items:
            if not isinstance(item, str) or not _EMAIL.fullmatch(item.strip()):
                raise fail(f"must list email addresses; {item!r} is not one")
        return [item.strip() for item in items]
    if name == "tags":
        if isinstance(value, str):
            return [tag.strip() for tag in value.split(",") if tag.strip()]
        if not isinstance(value, list) or not all(
            isinstance(tag, (str, int, float)) and not isinstance(tag, bool) for tag in value
        ):
            raise fail(f"must be a list of tags, got {_describe(value)}")
        return [str(tag).strip() for tag in value if str(tag).strip()]
    if name == "due":
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip()).isoformat()
            except ValueError:
                pass
        raise fail(f"must be a date like 2026-12-04, got {value!r}")
    raise AssertionError(f"unhandled known key {name}")


_KNOWN_KEYS = frozenset({"title", "status", "author", "reviewers", "tags", "topic", "due", "id"})


def _describe(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


def _normalize(value: Any) -> Any:
    """Dates and datetimes anywhere in a value become ISO strings."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [_normalize(item) for item in value]
    if isinstance(value, dict):
        return {_normalize(key): _normalize(item) for key, item in value.items()}
    return value
