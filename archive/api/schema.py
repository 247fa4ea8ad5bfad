"""The OpenAPI generator: drf-spectacular's, told which endpoints anonymous clients may read,
that every operation can answer 429, and written so that strict OpenAPI 3.0 validators read it."""

from __future__ import annotations

import copy
from typing import Any

from drf_spectacular.openapi import AutoSchema
from rest_framework.permissions import SAFE_METHODS

from archive.api.permissions import ReadOpenWriteCurators
from archive.api.serializers import ApiErrorSerializer

THROTTLED_DESCRIPTION = (
    "Too many requests from this client: wait the number of seconds in `Retry-After`, then try again"
)


class ArchiveAutoSchema(AutoSchema):
    def get_auth(self) -> list[Any]:
        auths = super().get_auth()
        open_read = any(isinstance(p, ReadOpenWriteCurators) for p in self.view.get_permissions())
        if open_read and self.method in SAFE_METHODS and {} not in auths:
            auths.append({})  # "no credentials" is one of the accepted ways
        return auths

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        # Throttles are the defaults of every API view; a client needs to know what 429 looks like.
        if self.view.throttle_classes:
            responses.setdefault(
                "429",
                {
                    "description": THROTTLED_DESCRIPTION,
                    "headers": {
                        "Retry-After": {
                            "description": "Seconds to wait before the next request",
                            "schema": {"type": "integer", "minimum": 0},
                        }
                    },
                    "content": {
                        "application/json": {
                            "schema": self.resolve_serializer(ApiErrorSerializer, "response").ref
                        }
                    },
                },
            )
        return responses


def nullable_references(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Make `nullable` work on references for strict OpenAPI 3.0 validators.

    drf-spectacular writes a nullable nested object as `{allOf: [{$ref: X}], nullable: true}`.
    In OpenAPI 3.0 `nullable` only widens the `type` of its own schema object, and every
    `allOf` branch must hold too: X is an object, so null fails (openapi-core rejects every
    search hit without an answer). The reference goes instead to a nullable copy of X,
    `XOrNull`, which accepts the object and null.
    """
    schemas: dict[str, Any] = result.get("components", {}).get("schemas", {})
    prefix = "#/components/schemas/"
    copies: list[dict[str, Any]] = []

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
            return
        if not isinstance(node, dict):
            return
        branches = node.get("allOf")
        if node.get("nullable") and isinstance(branches, list) and len(branches) == 1:
            ref = branches[0].get("$ref", "")
            name = ref.removeprefix(prefix)
            if ref.startswith(prefix) and name in schemas:
                nullable_name = f"{name}OrNull"
                if nullable_name not in schemas:
                    schemas[nullable_name] = {**copy.deepcopy(schemas[name]), "nullable": True}
                    copies.append(schemas[nullable_name])
                node["allOf"] = [{"$ref": prefix + nullable_name}]
                del node["nullable"]
        for value in node.values():
            visit(value)

    visit(result.get("paths", {}))
    visit(list(schemas.values()))
    while copies:  # a copy made before its original was visited
        visit(copies.pop())
    return result
