"""The README's JSON table ("JSON for scripts"), read as shapes to check `--json` outputs against.

Written apart from the code it checks: it knows the README's notation, nothing of how the CLI
builds its JSON. Notation (the README says it in words):

    {"a", "b": SHAPE, "c"?}   an object with exactly these keys ("c" only sometimes); b's value has SHAPE
    {name: SHAPE}             an object with any keys (writers, states), each value SHAPE
    [SHAPE]   [...]           a list of SHAPE items; a list of anything
    "x"|"y"   X|null          one of these
    n  s  bool  null          a number, a string, true or false, null
    TOPIC                     the shape of the row named TOPIC
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parent.parent / "README.md"
_TOKEN = re.compile(r'\s*(\.\.\.|"[^"]*"|[A-Za-z_]+|[{}\[\],:?|])')


@dataclass
class Obj:
    keys: dict[str, Any]          # key -> shape (None: any value)
    optional: set[str] = field(default_factory=set)


@dataclass
class Map:
    value: Any


@dataclass
class Arr:
    item: Any  # None: anything


@dataclass
class Alt:
    options: list[Any]


@dataclass
class Lit:
    value: Any


@dataclass
class Ref:
    name: str


@dataclass
class Kind:
    name: str  # n, s, bool


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens: list[str] = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            assert match, f"cannot read the shape at {text[pos:pos + 30]!r}"
            self.tokens.append(match.group(1))
            pos = match.end()
        self.at = 0

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        assert token is not None and (expected is None or token == expected), \
            f"expected {expected!r}, found {token!r} in {' '.join(self.tokens)}"
        self.at += 1
        return token

    def value(self) -> Any:
        options = [self.atom()]
        while self.peek() == "|":
            self.take("|")
            options.append(self.atom())
        return options[0] if len(options) == 1 else Alt(options)

    def atom(self) -> Any:
        token = self.take()
        if token == "{":
            return self.object()
        if token == "[":
            if self.peek() == "...":
                self.take("...")
                self.take("]")
                return Arr(None)
            item = self.value()
            self.take("]")
            return Arr(item)
        if token.startswith('"'):
            return Lit(token[1:-1])
        if token == "null":
            return Lit(None)
        if token in ("n", "s", "bool"):
            return Kind(token)
        assert token.isupper(), f"unknown word {token!r} in a shape"
        return Ref(token)

    def object(self) -> Any:
        keys: dict[str, Any] = {}
        optional: set[str] = set()
        while self.peek() != "}":
            token = self.take()
            if not token.startswith('"'):  # {name: SHAPE}
                self.take(":")
                value = self.value()
                self.take("}")
                return Map(value)
            key = token[1:-1]
            if self.peek() == "?":
                self.take("?")
                optional.add(key)
            keys[key] = None
            if self.peek() == ":":
                self.take(":")
                keys[key] = self.value()
            if self.peek() == ",":
                self.take(",")
        self.take("}")
        return Obj(keys, optional)


def parse_shape(text: str) -> Any:
    parser = _Parser(text)
    shape = parser.value()
    assert parser.peek() is None, f"left over in a shape: {parser.tokens[parser.at:]}"
    return shape


def readme_table(readme: Path = README) -> tuple[dict[str, Any], dict[str, Any]]:
    """({command: shape}, {NAME: shape}) from the table under "JSON for scripts"."""
    text = readme.read_text(encoding="utf-8")
    section = text.split("### JSON for scripts", 1)[1].split("\n#", 1)[0]
    commands: dict[str, Any] = {}
    names: dict[str, Any] = {}
    for line in section.splitlines():
        if not line.startswith("| ") or line.startswith("| command") or line.startswith("| ---"):
            continue
        first, second = re.split(r"(?<!\\)\|", line.strip().strip("|"))[:2]
        shape = parse_shape(re.search(r"`([^`]+)`", second).group(1).replace("\\|", "|"))
        listed = re.findall(r"`([^`]+)`", first)
        if listed:
            for command in listed:
                commands[command] = shape
        else:
            names[first.strip()] = shape
    return commands, names


def mismatches(value: Any, shape: Any, names: dict[str, Any], where: str = "$") -> list[str]:
    """Where `value` differs from `shape`: one line each (empty: it fits)."""
    if shape is None:
        return []
    if isinstance(shape, Ref):
        return mismatches(value, names[shape.name], names, where)
    if isinstance(shape, Alt):
        tried = [mismatches(value, option, names, where) for option in shape.options]
        return [] if any(not found for found in tried) else [f"{where}: {value!r} is none of the options"]
    if isinstance(shape, Lit):
        return [] if value == shape.value else [f"{where}: {value!r} is not {shape.value!r}"]
    if isinstance(shape, Kind):
        fits = {"n": isinstance(value, (int, float)) and not isinstance(value, bool),
                "s": isinstance(value, str), "bool": isinstance(value, bool)}[shape.name]
        return [] if fits else [f"{where}: {value!r} is not {shape.name}"]
    if isinstance(shape, Arr):
        if not isinstance(value, list):
            return [f"{where}: not a list"]
        return [line for i, item in enumerate(value) for line in mismatches(item, shape.item, names, f"{where}[{i}]")]
    if isinstance(shape, Map):
        if not isinstance(value, dict):
            return [f"{where}: not an object"]
        return [line for key, item in value.items() for line in mismatches(item, shape.value, names, f"{where}.{key}")]
    assert isinstance(shape, Obj)
    if not isinstance(value, dict):
        return [f"{where}: not an object"]
    found = []
    missing = set(shape.keys) - shape.optional - set(value)
    extra = set(value) - set(shape.keys)
    if missing:
        found.append(f"{where}: missing {sorted(missing)}")
    if extra:
        found.append(f"{where}: not in the README: {sorted(extra)}")
    for key, item in shape.keys.items():
        if key in value:
            found.extend(mismatches(value[key], item, names, f"{where}.{key}"))
    return found
