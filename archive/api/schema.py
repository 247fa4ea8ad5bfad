"""The OpenAPI generator: drf-spectacular's, told which endpoints anonymous clients may read."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from rest_framework.permissions import SAFE_METHODS

from archive.api.permissions import ReadOpenWriteCurators


class ArchiveAutoSchema(AutoSchema):
    def get_auth(self) -> list[Any]:
        auths = super().get_auth()
        open_read = any(isinstance(p, ReadOpenWriteCurators) for p in self.view.get_permissions())
        if open_read and self.method in SAFE_METHODS and {} not in auths:
            auths.append({})  # "no credentials" is one of the accepted ways
        return auths
