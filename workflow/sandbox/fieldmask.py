"""Partial responses: the `fields` parameter, e.g. `files(id,name,appProperties),nextPageToken`.

A mask parses to a tree {name: subtree or None}; None keeps the whole value. Names are checked
against the response schema, so a typo answers 400 "Invalid field selection ..." as Drive does.
"""

from __future__ import annotations

from .exceptions import ApiError

Mask = dict[str, "Mask | None"]


def _invalid(selection: str) -> ApiError:
    return ApiError(400, f"Invalid field selection {selection}", reason="invalidParameter",
                    location="fields")


def parse(text: str) -> Mask | None:
    """The tree of a fields mask; None means "everything" (empty mask or `*`)."""
    text = text.replace(" ", "")
    if text in ("", "*"):
        return None
    tree, position = _parse_list(text, 0)
    if position != len(text):
        raise _invalid(text)
    return tree


def _parse_list(text: str, position: int) -> tuple[Mask, int]:
    tree: Mask = {}
    while True:
        start = position
        while position < len(text) and text[position] not in ",()":
            position += 1
        path = text[start:position]
        if not path:
            raise _invalid(text)
        names = path.split("/")
        if any(not name for name in names):
            raise _invalid(text)
        sub: Mask | None = None
        if position < len(text) and text[position] == "(":
            sub, position = _parse_list(text, position + 1)
            if position >= len(text) or text[position] != ")":
                raise _invalid(text)
            position += 1
        _insert(tree, names, sub)
        if position < len(text) and text[position] == ",":
            position += 1
            continue
        return tree, position


def _insert(tree: Mask, names: list[str], sub: Mask | None) -> None:
    head, rest = names[0], names[1:]
    if not rest:
        if head in tree and tree[head] is not None and sub is not None:
            tree[head].update(sub)
        elif head in tree and tree[head] is not None and sub is None:
            tree[head] = None
        elif head not in tree:
            tree[head] = sub
        return
    if head in tree and tree[head] is None:
        return
    child = tree.setdefault(head, {})
    _insert(child, rest, sub)


def validate(tree: Mask | None, schema_name: str, schemas: dict) -> None:
    """400 if the mask names a field the response schema does not have."""
    if tree is None:
        return
    _validate(tree, schemas.get(schema_name, {}), schemas)


def _resolve(schema: dict, schemas: dict) -> dict:
    while "$ref" in schema:
        schema = schemas[schema["$ref"]]
    if schema.get("type") == "array":
        return _resolve(schema.get("items", {}), schemas)
    return schema


def _validate(tree: Mask, schema: dict, schemas: dict) -> None:
    schema = _resolve(schema, schemas)
    properties = schema.get("properties")
    if properties is None:     # maps and free-form objects accept any key
        return
    for name, sub in tree.items():
        if name == "*":
            continue
        if name not in properties:
            raise _invalid(name)
        if sub is not None:
            _validate(sub, properties[name], schemas)


def apply(value, tree: Mask | None):
    """`value` cut down to the fields of `tree`."""
    if tree is None or "*" in tree and all(sub is None for sub in tree.values()):
        return value
    if isinstance(value, list):
        return [apply(item, tree) for item in value]
    if not isinstance(value, dict):
        return value
    kept = {}
    for name, sub in tree.items():
        if name in value:
            kept[name] = apply(value[name], sub)
    return kept
