"""The local review page's HTTP server: the editor's browser talks to this, and only this, process.

Why the standard library and not a web framework: the server has seven routes, one user and no
sessions; ``http.server.ThreadingHTTPServer`` does that in a page of code, installs nothing and keeps
``pipeline review serve`` usable from the plain package. The page itself is three static files in
``static/`` (no build step).

Security model (see docs/review.md), because a page on localhost is reachable by every other page
the editor has open:

* names in URLs are looked up in the list of drafts found by listing DIR; a path is never built from
  user input, and the resolved path must still lie inside DIR (no traversal, no symlink escapes);
  static files come from a fixed table;
* the Host header must name this server (127.0.0.1:PORT or localhost:PORT), which defeats DNS
  rebinding; JSON responses carry no CORS headers, so other origins cannot read them;
* a per-server random token, delivered in a ``<meta>`` tag of the page, is required on every
  state-changing request, whose body is size-limited and validated against the decisions schema;
* a strict Content-Security-Policy (scripts only from this server, no inline script) backs up the
  page's rule of rendering article text with text nodes only.
"""

from __future__ import annotations

import json
import secrets
import socket
import sys
import threading
import webbrowser
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import DecisionsError, PipelineError, ReviewConflictError, UsageError
from . import (
    LOW_CONFIDENCE,
    all_targets,
    build_reviewed,
    decisions_errors,
    default_editor,
    list_drafts,
    load_decisions,
    load_draft,
    review_etag,
    save_decisions,
    scan,
)

MAX_BODY_BYTES = 5 * 1024 * 1024
DISCARD_LIMIT_BYTES = 4 * MAX_BODY_BYTES  # an oversized body up to this is drained before the 413; beyond, the socket is closed
STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_FILES = {  # the only files the server ever reads for the page: name -> content type
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
}
TOKEN_PLACEHOLDER = "__REVIEW_TOKEN__"
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}
READ_RETRIES = 5  # attempts at reading a draft and its decisions while nobody writes them


class ReviewServer(ThreadingHTTPServer):
    """An HTTP server bound to one review folder, one editor and one random token."""

    daemon_threads = True

    def __init__(self, directory: Path, host: str, port: int, editor: str, log: Callable[[str], None] | None) -> None:
        self.directory = directory
        self.editor = editor
        self.token = secrets.token_urlsafe(32)
        self.log = log
        self.save_lock = threading.Lock()  # one save at a time: the etag check and the write go together
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), _Handler)
        self.port = self.server_address[1]
        self.allowed_hosts = _allowed_hosts(host, self.port)

    @property
    def url(self) -> str:
        host = self.server_address[0]
        shown = "127.0.0.1" if host in ("127.0.0.1", "0.0.0.0", "") else host
        if ":" in shown:
            shown = "[::1]" if shown in ("::", "::1") else f"[{shown}]"
        return f"http://{shown}:{self.port}/"

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):  # the browser went away mid-answer: nothing to report
            return
        super().handle_error(request, client_address)

    def drafts(self) -> dict[str, Path]:
        """The reviewable records in DIR by name: the only names a URL may use."""
        root = self.directory.resolve()
        found = {}
        for path in list_drafts(self.directory):
            resolved = path.resolve()
            if resolved.parent == root and resolved.is_file():
                found[path.name[: -len(".json")]] = path
        return found


def serve(
    directory: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    editor: str | None = None,
    open_browser: bool = False,
    ready: Callable[[ReviewServer], None] | None = None,
    log: Callable[[str], None] | None = None,
) -> None:
    """Serve the review page for the drafts in ``directory`` until interrupted (Ctrl-C) or shut down.

    ``port=0`` picks a free port. The URL is printed on start; ``open_browser`` also opens it.
    ``ready(server)`` is called once the socket listens (``server.url``, ``server.token``,
    ``server.shutdown()``), which is how tests and embedding code drive it from another thread.
    ``log`` receives one line per request (default: none).
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder; give the output folder of `pipeline convert`.", path=str(folder))
    server = ReviewServer(folder, host, port, editor or default_editor(), log)
    try:
        print(f"Review page for {folder}: {server.url}  (Ctrl-C to stop)", flush=True)
        if open_browser:
            webbrowser.open(server.url)
        if ready is not None:
            ready(server)
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _allowed_hosts(host: str, port: int) -> set[str]:
    names = {"127.0.0.1", "localhost", "[::1]"}
    if host not in ("0.0.0.0", "::", ""):
        names.add(f"[{host}]" if ":" in host else host)
    return {f"{name}:{port}".lower() for name in names}


class _HttpError(Exception):
    def __init__(self, status: HTTPStatus, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"error": status.phrase, "message": message, **extra}


class _Handler(BaseHTTPRequestHandler):
    server: ReviewServer
    server_version = "pipeline-review"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    # --- dispatch -------------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._dispatch(self._get)

    def do_HEAD(self) -> None:
        self._dispatch(self._get, head=True)

    def do_PUT(self) -> None:
        self._dispatch(self._put)

    def do_POST(self) -> None:
        self._dispatch(self._method_not_allowed)

    do_DELETE = do_PATCH = do_POST

    def _dispatch(self, route: Callable[[list[str]], tuple], head: bool = False) -> None:
        self._body_read = False
        try:
            self._check_host()
            segments = self._segments()
            status, content_type, body = route(segments)
        except _HttpError as exc:
            status, content_type, body = exc.status, "application/json", _json_bytes(exc.body)
            if self.headers.get("Content-Length") and not self._body_read:
                self.close_connection = True  # an unread body must never be parsed as the next request
        except Exception as exc:  # a defect must still answer, and never leak a traceback to the page
            self.log_error("defect while answering %s: %r", self.path, exc)
            status, content_type = HTTPStatus.INTERNAL_SERVER_ERROR, "application/json"
            shown = str(exc) if isinstance(exc, PipelineError) else f"{type(exc).__name__}; see the server's terminal"
            body = _json_bytes({"error": "Internal Server Error", "message": f"The server failed: {shown}"})
        self._send(status, content_type, b"" if head else body, length=len(body))

    def _check_host(self) -> None:
        host = (self.headers.get("Host") or "").strip().lower()
        if host not in self.server.allowed_hosts:
            raise _HttpError(HTTPStatus.FORBIDDEN, f"Host {host!r} is not this review server; open {self.server.url}")

    def _segments(self) -> list[str]:
        # Split before decoding, so an encoded slash (%2F) stays inside one segment and never becomes a path step.
        path = urlsplit(self.path).path
        return [unquote(part) for part in path.split("/")[1:]]

    # --- routes ---------------------------------------------------------------------------------

    def _get(self, segments: list[str]) -> tuple:
        if segments in ([""], ["index.html"]):
            return HTTPStatus.OK, "text/html; charset=utf-8", self._page()
        if len(segments) == 2 and segments[0] == "static":
            return self._static(segments[1])
        if segments == ["api", "queue"]:
            return _json_ok(self._queue())
        if len(segments) == 3 and segments[:2] == ["api", "doc"]:
            return _json_ok(self._document(segments[2]))
        raise _HttpError(HTTPStatus.NOT_FOUND, f"No such page: {urlsplit(self.path).path}")

    def _put(self, segments: list[str]) -> tuple:
        if not (len(segments) == 4 and segments[:2] == ["api", "doc"] and segments[3] == "decisions"):
            raise _HttpError(HTTPStatus.NOT_FOUND, f"No such resource: {urlsplit(self.path).path}")
        self._check_token()
        record_path = self._record_path(segments[2])
        expected = self.headers.get("If-Match", "").strip().strip('"')
        if not expected:
            raise _HttpError(HTTPStatus.PRECONDITION_REQUIRED, "Send If-Match with the etag the page loaded, so a changed draft is not overwritten.")
        decisions = self._json_body()
        problems = decisions_errors(decisions)
        if problems:
            raise _invalid_decisions(problems)
        with self.server.save_lock:
            try:
                saved = save_decisions(record_path, decisions, expected_etag=expected)
            except ReviewConflictError as exc:
                raise _HttpError(
                    HTTPStatus.CONFLICT,
                    "Not saved: the draft or its decisions changed on disk since this page loaded them "
                    "(convert was re-run, or someone saved from another window). Reload the document; "
                    "your unsaved decisions are kept and re-applied to the new version.",
                    code=exc.code,
                    detail=exc.message,
                ) from exc
            except DecisionsError as exc:
                raise _HttpError(HTTPStatus.BAD_REQUEST, exc.message, code=exc.code, errors=[]) from exc
        return _json_ok({"etag": saved["etag"], "reviewed": saved["reviewed"]})

    def _method_not_allowed(self, segments: list[str]) -> tuple:
        raise _HttpError(HTTPStatus.METHOD_NOT_ALLOWED, f"{self.command} is not supported here; the page uses GET and PUT.")

    # --- helpers --------------------------------------------------------------------------------

    def _page(self) -> bytes:
        html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
        return html.replace(TOKEN_PLACEHOLDER, self.server.token).encode("utf-8")

    def _static(self, name: str) -> tuple:
        content_type = STATIC_FILES.get(name)
        if content_type is None:
            raise _HttpError(HTTPStatus.NOT_FOUND, f"No such static file: {name!r}")
        return HTTPStatus.OK, content_type, (STATIC_DIR / name).read_bytes()

    def _queue(self) -> dict:
        names = self.server.drafts()
        rows = []
        for row in scan(self.server.directory):
            if row.get("name") in names:  # scan lists the same drafts; keep only names the routes accept
                rows.append({key: value for key, value in row.items() if key != "record"})
        return {"editor": self.server.editor, "low_confidence": LOW_CONFIDENCE, "rows": rows}

    def _document(self, name: str) -> dict:
        record_path = self._record_path(name)
        for _ in range(READ_RETRIES):
            etag = review_etag(record_path)
            try:
                draft = load_draft(record_path)
                decisions = load_decisions(record_path, draft)
            except PipelineError as exc:  # a broken decisions file (P140) or a half-written draft
                raise _HttpError(HTTPStatus.UNPROCESSABLE_ENTITY, f"{record_path.name}: {exc.message}", code=exc.code) from exc
            if review_etag(record_path) == etag:  # nobody wrote in between: draft, decisions and etag agree
                break
        else:
            raise _HttpError(HTTPStatus.SERVICE_UNAVAILABLE, "The record keeps changing on disk (is convert running?); try again in a moment.")
        return {
            "name": name,
            "draft": draft,
            "decisions": decisions,
            "reviewed": build_reviewed(draft, decisions),
            "etag": etag,
            "targets": all_targets(draft),
        }

    def _record_path(self, name: str) -> Path:
        path = self.server.drafts().get(name)
        if path is None:
            raise _HttpError(HTTPStatus.NOT_FOUND, f"No draft named {name!r} in this folder.")
        resolved, root = path.resolve(), self.server.directory.resolve()
        if resolved.parent != root:  # belt and braces: listing DIR never yields anything else
            raise _HttpError(HTTPStatus.NOT_FOUND, f"No draft named {name!r} in this folder.")
        return path

    def _check_token(self) -> None:
        given = self.headers.get("X-Review-Token", "")
        if not given or not secrets.compare_digest(given.encode(), self.server.token.encode()):
            raise _HttpError(HTTPStatus.FORBIDDEN, "Missing or wrong X-Review-Token: reload the review page (the token changes each time the server starts).")

    def _json_body(self) -> Any:
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != "application/json":
            raise _HttpError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "Send the decisions file as Content-Type: application/json.")
        if self.headers.get("Transfer-Encoding"):
            raise _HttpError(HTTPStatus.LENGTH_REQUIRED, "Send a Content-Length; chunked bodies are not accepted.")
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            raise _HttpError(HTTPStatus.LENGTH_REQUIRED, "Send a Content-Length header.") from None
        if length > MAX_BODY_BYTES:
            self._discard_body(length)
            raise _HttpError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"The body is {length} bytes; the limit is {MAX_BODY_BYTES}.")
        raw = self.rfile.read(length) if length > 0 else b""
        self._body_read = True
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise _HttpError(HTTPStatus.BAD_REQUEST, f"The body is not valid JSON: {exc}", errors=[]) from None

    def _discard_body(self, length: int) -> None:
        """Read (and drop) an oversized body, so the client sees the 413 rather than a reset connection."""
        self.close_connection = True  # whatever is left unread must never be parsed as the next request
        remaining = min(length, DISCARD_LIMIT_BYTES)
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 64 * 1024))
            if not chunk:
                break
            remaining -= len(chunk)

    def _send(self, status: HTTPStatus, content_type: str, body: bytes, *, length: int) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        if self.server.log is not None:
            self.server.log(f"{self.address_string()} {format % args}")

    def log_error(self, format: str, *args: Any) -> None:  # noqa: A002
        print(f"review server: {format % args}", file=sys.stderr)


def _invalid_decisions(problems: list[tuple[str, str]]) -> _HttpError:
    errors = [{"pointer": pointer or "/", "message": message} for pointer, message in problems]
    shown = "; ".join(f"{e['pointer']}: {e['message']}" for e in errors[:5])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return _HttpError(HTTPStatus.BAD_REQUEST, f"The decisions break the decisions schema: {shown}{more}", code=DecisionsError.code, errors=errors)


def _json_ok(payload: Any) -> tuple:
    return HTTPStatus.OK, "application/json", _json_bytes(payload)


def _json_bytes(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")


__all__ = ["serve", "ReviewServer", "MAX_BODY_BYTES"]
