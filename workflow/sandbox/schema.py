"""Request checks against the discovery schemas: body fields and types, query parameters.

Messages follow Google's proto-JSON style, e.g.
`Invalid JSON payload received. Unknown name "foo" at 'requests[0].insertText': Cannot find field.`
"""

from __future__ import annotations

import json
import re

from .discovery import Method, service
from .exceptions import ApiError

_INTEGER = re.compile(r"^-?\d+$")
_NUMBER = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
_TYPE_NAMES = {"int32": "TYPE_INT32", "int64": "TYPE_INT64", "uint32": "TYPE_UINT32",
               "uint64": "TYPE_UINT64", "double": "TYPE_DOUBLE", "float": "TYPE_FLOAT"}


def _shown(value) -> str:
    return json.dumps(value, ensure_ascii=False)


class _BodyChecker:
    def __init__(self, schemas: dict) -> None:
        self.schemas = schemas
        self.problems: list[str] = []

    def check(self, value, schema: dict, path: str) -> None:
        if "$ref" in schema:
            schema = self.schemas[schema["$ref"]]
        kind = schema.get("type")
        if kind == "object" or "properties" in schema or "additionalProperties" in schema:
            self._check_object(value, schema, path)
        elif kind == "array":
            if not isinstance(value, list):
                self._bad_value(path, "TYPE_MESSAGE" if "$ref" in schema.get("items", {})
                                else "TYPE_STRING", value, repeated=True)
                return
            for index, item in enumerate(value):
                self.check(item, schema.get("items", {}), f"{path}[{index}]")
        elif kind == "string":
            self._check_string(value, schema, path)
        elif kind == "integer":
            if isinstance(value, bool) or not (
                    isinstance(value, int) or (isinstance(value, str) and _INTEGER.match(value))):
                self._bad_value(path, _TYPE_NAMES.get(schema.get("format", ""), "TYPE_INT32"), value)
        elif kind == "number":
            if isinstance(value, bool) or not (
                    isinstance(value, (int, float)) or (isinstance(value, str) and _NUMBER.match(value))):
                self._bad_value(path, _TYPE_NAMES.get(schema.get("format", ""), "TYPE_DOUBLE"), value)
        elif kind == "boolean":
            if not isinstance(value, bool):
                self._bad_value(path, "TYPE_BOOL", value)
        # "any" and untyped schemas accept everything.

    def _check_object(self, value, schema: dict, path: str) -> None:
        if not isinstance(value, dict):
            self._bad_value(path, "TYPE_MESSAGE", value)
            return
        properties = schema.get("properties")
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            child = f"{path}.{key}" if path else key
            if properties is not None and key in properties:
                if item is not None:
                    self.check(item, properties[key], child)
            elif extra is not None:
                if item is not None:
                    self.check(item, extra, f"{path}[{key}]" if path else key)
            else:
                where = f" at '{path}'" if path else ""
                self.problems.append(
                    f'Invalid JSON payload received. Unknown name "{key}"{where}: Cannot find field.')

    def _check_string(self, value, schema: dict, path: str) -> None:
        fmt = schema.get("format", "")
        if fmt in ("int64", "uint64") and isinstance(value, int) and not isinstance(value, bool):
            return
        if not isinstance(value, str):
            self._bad_value(path, "TYPE_ENUM" if "enum" in schema else
                            _TYPE_NAMES.get(fmt, "TYPE_STRING"), value)
        elif "enum" in schema and value not in schema["enum"]:
            self._bad_value(path, "TYPE_ENUM", value)

    def _bad_value(self, path: str, type_name: str, value, repeated: bool = False) -> None:
        if repeated:
            self.problems.append(f"Invalid value at '{path}' ({type_name}), {_shown(value)}: "
                                 "Proto field is repeated, but the JSON value is not an array.")
        else:
            self.problems.append(f"Invalid value at '{path}' ({type_name}), {_shown(value)}")


def check_body(method: Method, body) -> None:
    """Raise 400 INVALID_ARGUMENT if `body` does not fit the method's request schema."""
    if method.request_schema is None:
        return
    schemas = service(method.service).schemas
    checker = _BodyChecker(schemas)
    if not isinstance(body, dict):
        raise ApiError(400, f"Invalid JSON payload received. Expected an object, got {_shown(body)}.")
    checker.check(body, {"$ref": method.request_schema}, "")
    if checker.problems:
        raise ApiError(400, "\n".join(checker.problems))


def _parse_scalar(name: str, raw: str, spec: dict):
    kind = spec.get("type", "string")
    if kind == "integer":
        if not _INTEGER.match(raw):
            raise ApiError(400, f"Invalid value '{raw}'. Values must be integers.",
                           reason="invalid", location=name)
        number = int(raw)
        low, high = spec.get("minimum"), spec.get("maximum")
        if (low is not None and number < int(low)) or (high is not None and number > int(high)):
            raise ApiError(400, f"Invalid value '{raw}'. Values must be within the range: "
                                f"[{low if low is not None else ''}, {high if high is not None else ''}]",
                           reason="invalid", location=name)
        return number
    if kind == "boolean":
        if raw.lower() not in ("true", "false"):
            raise ApiError(400, f"Invalid value '{raw}'. Values must be true or false.",
                           reason="invalid", location=name)
        return raw.lower() == "true"
    if "enum" in spec and raw not in spec["enum"]:
        raise ApiError(400, f"Invalid value at '{name}' (TYPE_ENUM), \"{raw}\"",
                       reason="invalid", location=name)
    return raw


def check_query(method: Method, query: dict[str, list[str]]) -> dict:
    """The typed query parameters of a call; 400 for an unknown name or a value of the wrong type."""
    parsed: dict = {}
    for name, values in query.items():
        spec = method.parameters.get(name) or method.global_parameters.get(name)
        if spec is None or spec.get("location") == "path":
            raise ApiError(400, f'Invalid JSON payload received. Unknown name "{name}": Cannot bind '
                                f"query parameter. Field '{name}' could not be found in request message.")
        typed = [_parse_scalar(name, value, spec) for value in values]
        parsed[name] = typed if spec.get("repeated") else typed[-1]
    for name, spec in method.parameters.items():
        if spec.get("location") == "query" and spec.get("required") and name not in parsed:
            raise ApiError(400, f"Required parameter: {name}", reason="required", location=name)
    return parsed
