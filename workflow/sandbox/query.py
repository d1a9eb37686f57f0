"""Drive's search language (`files.list` `q`): parse once into a predicate over a file's facts.

Supported: `'ID' in parents|owners|writers|readers`, `name`/`mimeType`/`fullText` with
= != contains, `trashed`/`starred`/`sharedWithMe` = true|false, `modifiedTime`/`createdTime`
compared with an RFC 3339 string, `appProperties has { key='k' and value='v' }` (and
`properties`), `and`/`or`/`not`, parentheses, and `\\'` / `\\\\` escapes in strings.
"""

from __future__ import annotations

import re
from typing import Callable

from .exceptions import ApiError

Facts = dict   # name, mimeType, parents, owners, writers, readers, trashed, starred,
               # sharedWithMe, modifiedTime, createdTime, appProperties, properties, fullText()
Predicate = Callable[[Facts], bool]

_TOKEN = re.compile(r"\s*(?:(?P<string>'(?:[^'\\]|\\.)*')|(?P<op>!=|<=|>=|=|<|>)"
                    r"|(?P<punct>[(){}])|(?P<word>[A-Za-z_][A-Za-z0-9_.]*))")
_STRING_FIELDS = {"name", "mimeType", "fullText"}
_BOOL_FIELDS = {"trashed", "starred", "sharedWithMe"}
_TIME_FIELDS = {"modifiedTime", "createdTime", "viewedByMeTime"}
_COLLECTIONS = {"parents", "owners", "writers", "readers"}


def _error(text: str, position: int, problem: str) -> ApiError:
    return ApiError(400, f"Invalid Value: cannot parse q at offset {position} ({problem}): {text}",
                    reason="invalid", location="q", error_message="Invalid Value")


def _unescape(literal: str) -> str:
    return re.sub(r"\\(.)", r"\1", literal[1:-1])


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str, int]] = []
        position = 0
        while position < len(text):
            if text[position:].strip() == "":
                break
            found = _TOKEN.match(text, position)
            if not found:
                raise _error(text, position, "unexpected character")
            kind = found.lastgroup
            self.tokens.append((kind, found.group(kind), found.start(kind)))
            position = found.end()
        self.index = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, kind: str | None = None, value: str | None = None) -> tuple[str, str, int]:
        token = self.peek()
        if token is None:
            raise _error(self.text, len(self.text), "unexpected end of query")
        if (kind and token[0] != kind) or (value and token[1] != value):
            raise _error(self.text, token[2], f"expected {value or kind}, found {token[1]!r}")
        self.index += 1
        return token

    def at_word(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "word" and token[1] == word

    def parse(self) -> Predicate:
        predicate = self.parse_or()
        if self.peek() is not None:
            raise _error(self.text, self.peek()[2], f"unexpected {self.peek()[1]!r}")
        return predicate

    def parse_or(self) -> Predicate:
        parts = [self.parse_and()]
        while self.at_word("or"):
            self.take()
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else (lambda facts: any(p(facts) for p in parts))

    def parse_and(self) -> Predicate:
        parts = [self.parse_not()]
        while self.at_word("and"):
            self.take()
            parts.append(self.parse_not())
        return parts[0] if len(parts) == 1 else (lambda facts: all(p(facts) for p in parts))

    def parse_not(self) -> Predicate:
        if self.at_word("not"):
            self.take()
            inner = self.parse_not()
            return lambda facts: not inner(facts)
        token = self.peek()
        if token is not None and token[1] == "(":
            self.take()
            inner = self.parse_or()
            self.take("punct", ")")
            return inner
        return self.parse_term()

    def parse_term(self) -> Predicate:
        token = self.take()
        kind, value, position = token
        if kind == "string":
            self.take("word", "in")
            collection = self.take("word")
            if collection[1] not in _COLLECTIONS:
                raise _error(self.text, collection[2], f"unknown collection {collection[1]!r}")
            wanted = _unescape(value)
            name = collection[1]
            return lambda facts: wanted in facts[name]
        if kind != "word":
            raise _error(self.text, position, f"unexpected {value!r}")
        if value in ("appProperties", "properties"):
            return self.parse_has(value)
        if value in _STRING_FIELDS:
            op = self.take()
            if op[1] not in ("=", "!=", "contains"):
                raise _error(self.text, op[2], f"operator {op[1]!r} not supported for {value}")
            literal = _unescape(self.take("string")[1])
            return _string_test(value, op[1], literal)
        if value in _BOOL_FIELDS:
            op = self.take("op")
            if op[1] not in ("=", "!="):
                raise _error(self.text, op[2], f"operator {op[1]!r} not supported for {value}")
            literal = self.take("word")
            if literal[1] not in ("true", "false"):
                raise _error(self.text, literal[2], "expected true or false")
            expected = (literal[1] == "true") == (op[1] == "=")
            return lambda facts: bool(facts[value]) == expected
        if value in _TIME_FIELDS:
            op = self.take("op")
            literal = _unescape(self.take("string")[1])
            return _time_test(value, op[1], literal)
        raise _error(self.text, position, f"unsupported field {value!r}")

    def parse_has(self, field: str) -> Predicate:
        self.take("word", "has")
        self.take("punct", "{")
        self.take("word", "key")
        self.take("op", "=")
        key = _unescape(self.take("string")[1])
        self.take("word", "and")
        self.take("word", "value")
        self.take("op", "=")
        wanted = _unescape(self.take("string")[1])
        self.take("punct", "}")
        return lambda facts: facts[field].get(key) == wanted


def _string_test(field: str, op: str, literal: str) -> Predicate:
    def test(facts: Facts) -> bool:
        actual = facts[field]() if callable(facts[field]) else facts[field]
        if op == "=":
            return actual == literal
        if op == "!=":
            return actual != literal
        return literal.lower() in actual.lower()
    return test


def _time_test(field: str, op: str, literal: str) -> Predicate:
    comparisons = {"=": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
                   "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}
    compare = comparisons[op]
    return lambda facts: compare(facts[field][:19], literal[:19])


def parse(text: str) -> Predicate:
    """A predicate over a file's facts; 400 "Invalid Value" naming the offset it could not parse."""
    return _Parser(text).parse()
