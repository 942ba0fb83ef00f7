"""A scripted registry for unit tests: an httpx transport that answers from a queue of responses.

The integration tests run the real mock registry process; these tests only pin the client's and
the services' reactions to each kind of answer.
"""

import json

import httpx


class ScriptedRegistry:
    def __init__(self):
        self.script: list = []
        self.requests: list[httpx.Request] = []

    def answer(self, status: int, body: dict | None = None, headers: dict | None = None):
        self.script.append(httpx.Response(status, json=body or {}, headers=headers or {}))
        return self

    def fail(self, exc: Exception):
        self.script.append(exc)
        return self

    def transport(self) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            item = self.script.pop(0)
            if isinstance(item, BaseException):
                raise item
            return item

        return httpx.MockTransport(handle)

    def bodies(self) -> list[dict]:
        return [json.loads(r.content) for r in self.requests if r.content]
