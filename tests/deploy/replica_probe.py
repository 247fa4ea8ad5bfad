"""Requests through the whole Django stack, reporting which database served the archive's reads.

tests/deploy/test_read_replicas.py runs this in a process of its own, configured by its environment as a
web worker would be (DATABASE_URL, DATABASE_REPLICA_URLS, ...): it reads a JSON list of requests
on stdin, makes them with one client (so cookies carry from one to the next, as in a browser) and
prints, for each, the status and the database aliases that ran queries on the archive's tables.
"""

from __future__ import annotations

import json
import os
import sys
from contextlib import ExitStack
from typing import Any


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Start-up as a web worker's (Django set up, the replicas checked and reported), before any model.
    from config.wsgi import application

    assert application is not None
    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.test import Client
    from rest_framework.authtoken.models import Token

    spec = json.load(sys.stdin)
    token = ""
    if spec.get("writer"):
        user, _ = get_user_model().objects.get_or_create(
            username="replica-writer", is_staff=True, is_superuser=True
        )
        token = Token.objects.get_or_create(user=user)[0].key
    client = Client()
    results = []
    for request in spec["requests"]:
        served: set[str] = set()

        def recorder(alias: str, served: set[str] = served) -> Any:
            def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
                # The archive's tables and the search index's; not the cache behind the throttles
                # (`archive_cache`), which is always the primary's.
                if "archive_" in sql.replace("archive_cache", "") or "search_" in sql:
                    served.add(alias)
                return execute(sql, params, many, context)

            return record

        headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Token {token}"} if request.get("as_writer") else {}
        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(recorder(alias)))
            response = client.generic(
                request.get("method", "GET"),
                request["path"],
                data=json.dumps(request["body"]) if "body" in request else "",
                content_type="application/json",
                **headers,
            )
        result: dict[str, Any] = {"status": response.status_code, "served_by": sorted(served)}
        if response.get("Content-Type", "").startswith("application/json") and not response.streaming:
            result["count"] = json.loads(response.content).get("count")
        results.append(result)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
