"""A tiny WSGI toolkit for the gateway: requests, JSON answers, Meta-shaped errors."""

import json
from dataclasses import dataclass
from urllib.parse import parse_qs

MAX_BODY = 64 * 1024


@dataclass
class Request:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes

    @classmethod
    def from_environ(cls, environ) -> "Request":
        try:
            length = min(int(environ.get("CONTENT_LENGTH") or 0), MAX_BODY)
        except ValueError:
            length = 0
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        return cls(environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/"), query, headers, body)

    def json(self):
        """Return the body's JSON object, or None when it is not one."""
        try:
            value = json.loads(self.body or b"{}")
        except (ValueError, UnicodeDecodeError, RecursionError):
            return None
        return value if isinstance(value, dict) else None


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: tuple = ()


REASONS = {
    200: "OK",
    303: "See Other",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    429: "Too Many Requests",
    503: "Service Unavailable",
}


def json_response(status: int, value, headers: tuple = ()) -> Response:
    return Response(status, json.dumps(value).encode(), headers=headers)


def html_response(text: str) -> Response:
    return Response(200, text.encode(), content_type="text/html; charset=utf-8")


def redirect(location: str) -> Response:
    return Response(303, b"", content_type="text/plain", headers=(("Location", location),))


def meta_error(status: int, code: int, message: str, details: str = "", headers: tuple = ()) -> Response:
    """An error as the Graph API writes it: {"error": {message, type, code, error_data, fbtrace_id}}."""
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "mock"}
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return json_response(status, {"error": error}, headers)


def serve(response: Response, start_response):
    headers = [("Content-Type", response.content_type), ("Content-Length", str(len(response.body)))]
    headers += list(response.headers)
    start_response(f"{response.status} {REASONS.get(response.status, 'Error')}", headers)
    return [response.body]
