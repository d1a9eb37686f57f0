"""The bundled discovery documents of Drive v3, Docs v1 and Sheets v4: methods, parameters, schemas, scopes.

Loaded once per process from google-api-python-client's own copies, the same files the
client builds itself from, so the sandbox and the client agree on every name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import googleapiclient

DOCUMENTS_DIR = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"


@dataclass(frozen=True)
class Method:
    """One discovery method, with the URL path it answers under the sandbox root."""

    id: str                      # e.g. "drive.files.create"
    http_method: str
    path_template: str           # relative to the sandbox root, e.g. "drive/v3/files/{fileId}"
    pattern: re.Pattern = field(compare=False)
    parameters: dict = field(compare=False)          # method parameters (path and query)
    global_parameters: dict = field(compare=False)   # the service's standard parameters
    request_schema: str | None
    response_schema: str | None
    scopes: frozenset[str]
    service: str                 # "drive", "docs" or "sheets"


@dataclass(frozen=True)
class Service:
    name: str
    schemas: dict
    methods: tuple[Method, ...]


def _template_to_regex(template: str) -> re.Pattern:
    parts = []
    position = 0
    for match in re.finditer(r"\{(\+?)(\w+)\}", template):
        parts.append(re.escape(template[position:match.start()]))
        parts.append(f"(?P<{match.group(2)}>{'.+' if match.group(1) else '[^/:]+'})")
        position = match.end()
    parts.append(re.escape(template[position:]))
    return re.compile("^" + "".join(parts) + "$")


def _walk_methods(resources: dict):
    for resource in resources.values():
        yield from resource.get("methods", {}).values()
        yield from _walk_methods(resource.get("resources", {}))


@lru_cache(maxsize=None)
def service(name: str) -> Service:
    """The parsed discovery document of "drive" (v3), "docs" (v1) or "sheets" (v4)."""
    file_name = {"drive": "drive.v3.json", "docs": "docs.v1.json", "sheets": "sheets.v4.json"}[name]
    document = json.loads((DOCUMENTS_DIR / file_name).read_text(encoding="utf-8"))
    service_path = document["servicePath"]
    methods = []
    for raw in _walk_methods(document["resources"]):
        template = service_path + raw.get("flatPath", raw["path"]) if name in ("docs", "sheets") \
            else service_path + raw["path"]
        methods.append(Method(
            id=raw["id"], http_method=raw["httpMethod"], path_template=template,
            pattern=_template_to_regex(template), parameters=raw.get("parameters", {}),
            global_parameters=document.get("parameters", {}),
            request_schema=raw.get("request", {}).get("$ref"),
            response_schema=raw.get("response", {}).get("$ref"),
            scopes=frozenset(raw.get("scopes", [])), service=name))
    # Literal segments win over variables: "files/generateIds" before "files/{fileId}".
    methods.sort(key=lambda m: (m.path_template.count("{"), -len(m.path_template)))
    return Service(name=name, schemas=document["schemas"], methods=tuple(methods))


def all_methods() -> tuple[Method, ...]:
    return service("drive").methods + service("docs").methods + service("sheets").methods


def method_by_id(method_id: str) -> Method:
    for method in all_methods():
        if method.id == method_id:
            return method
    raise KeyError(method_id)


def match(http_method: str, path: str) -> tuple[Method, dict[str, str]] | None:
    """The discovery method serving `http_method path` (path without the leading "/")."""
    for method in all_methods():
        if method.http_method != http_method:
            continue
        found = method.pattern.match(path)
        if found:
            return method, found.groupdict()
    return None
