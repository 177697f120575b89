"""Checks that a JSON body has GitHub's shape: against the OpenAPI description, or a recorded response.

Used by the double's fidelity tests, and usable by any test of code that
parses GitHub's answers.  ``jsonschema`` (a test-only dependency) is imported
only by :func:`response_validator`.

- :func:`openapi_to_jsonschema` turns an OpenAPI 3.0 schema (``nullable: true``)
  into JSON Schema, resolving ``$ref`` within the document.
- :func:`unknown_keys` lists keys of a body that the schema does not declare.
- :func:`shape_diff` compares two bodies by key sets and JSON value types.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

__all__ = ["json_type", "openapi_to_jsonschema", "response_schema", "response_validator", "shape_diff", "unknown_keys"]


def openapi_to_jsonschema(schema: Any, document: Mapping[str, Any] | None = None) -> Any:
    """JSON Schema for an OpenAPI 3.0 schema: ``nullable: true`` becomes ``anyOf [..., null]``.

    >>> openapi_to_jsonschema({"type": "string", "nullable": True})
    {'anyOf': [{'type': 'string'}, {'type': 'null'}]}
    """
    if isinstance(schema, list):
        return [openapi_to_jsonschema(s, document) for s in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema and document is not None:
        target: Any = document
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        return openapi_to_jsonschema(target, document)
    out = {}
    for key, value in schema.items():
        if key in ("nullable", "example", "examples", "discriminator", "readOnly", "writeOnly", "deprecated"):
            continue
        if key in ("properties", "patternProperties"):
            out[key] = {k: openapi_to_jsonschema(v, document) for k, v in value.items()}
        elif key in ("items", "additionalProperties", "not", "anyOf", "oneOf", "allOf"):
            out[key] = openapi_to_jsonschema(value, document)
        else:
            out[key] = value
    if schema.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def response_schema(spec: Mapping[str, Any], path: str, status: str = "200", method: str = "get") -> Any:
    """The OpenAPI response schema (JSON) of ``method path`` for ``status``."""
    response = spec["paths"][path][method]["responses"][status]
    return response["content"]["application/json"]["schema"]


def response_validator(spec: Mapping[str, Any], path: str, status: str = "200") -> Any:
    """A ``jsonschema`` validator for the response of ``GET path``, checking ``date-time`` and ``uri`` formats."""
    jsonschema = importlib.import_module("jsonschema")  # test-only dependency, untyped

    def date_time(value: object) -> bool:
        if isinstance(value, str):
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True

    def uri(value: object) -> bool:
        return not isinstance(value, str) or "://" in value

    checker = jsonschema.FormatChecker(formats=())
    checker.checks("date-time", raises=ValueError)(date_time)
    checker.checks("uri")(uri)

    schema = openapi_to_jsonschema(response_schema(spec, path, status), spec)
    return jsonschema.Draft7Validator(schema, format_checker=checker)


def _alternatives(schema: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return [a for s in schema[key] for a in _alternatives(s)]
    return [schema]


def unknown_keys(instance: Any, schema: Mapping[str, Any], path: str = "$") -> Iterator[str]:
    """Paths of keys in ``instance`` that ``schema`` (OpenAPI, any alternative) does not declare."""
    alts = _alternatives(schema)
    if isinstance(instance, dict):
        declared = [a for a in alts if "properties" in a]
        if not declared:
            return
        names = {k for a in declared for k in a["properties"]}
        for key, value in instance.items():
            if key not in names:
                if not any(a.get("additionalProperties") for a in declared):
                    yield f"{path}.{key}"
                continue
            for a in declared:
                if key in a["properties"]:
                    yield from unknown_keys(value, a["properties"][key], f"{path}.{key}")
                    break
    elif isinstance(instance, list):
        for a in alts:
            if "items" in a:
                for i, value in enumerate(instance):
                    yield from unknown_keys(value, a["items"], f"{path}[{i}]")
                return


def json_type(value: Any) -> str:
    """The JSON type of a parsed value: object, array, string, integer, number, boolean or null."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def shape_diff(recorded: Any, ours: Any, path: str = "$") -> Iterator[tuple[str, str]]:
    """Differences in shape between a recorded body and ours: ``(path, what)`` pairs.

    ``what`` is ``"missing"`` (a key GitHub sent that we do not), ``"extra"``
    (a key we send that the recording lacks) or ``"type recorded/ours"`` when
    both are non-null and of different JSON types.  Lists are compared by
    their first elements.
    """
    rt, ot = json_type(recorded), json_type(ours)
    if "null" in (rt, ot):
        return
    if rt != ot:
        yield path, f"type {rt}/{ot}"
        return
    if rt == "object":
        for key in recorded:
            if key not in ours:
                yield f"{path}.{key}", "missing"
            else:
                yield from shape_diff(recorded[key], ours[key], f"{path}.{key}")
        for key in ours:
            if key not in recorded:
                yield f"{path}.{key}", "extra"
    elif rt == "array" and recorded and ours:
        yield from shape_diff(recorded[0], ours[0], f"{path}[]")
