"""The review page's HTTP server, over real HTTP: routes, the token, conflicts, limits, traversal, Host checks.

Each test gets its own copy of a folder made by the real converter from small articles written here,
and a server on a free port in a thread. Requests go through http.client so a test controls the
exact path bytes and the Host header an attacker would send.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import threading
from pathlib import Path

import pytest
from conftest import convert_into

from pipeline.errors import UsageError
from pipeline.review import load_draft, new_decision, review_etag, target_value
from pipeline.review.server import MAX_BODY_BYTES, serve

ALPHA = """Ketamine and depression: a short note

Ketamine blocks the NMDA receptor and raises BDNF in the prefrontal cortex.
Patients with treatment-resistant depression improved within hours.
"""
BETA = """Psilocybin and the default mode network

Psilocybin is a 5-HT2A agonist. It changes activity in the default mode network and may help anxiety.
"""


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return convert_into(tmp_path_factory.mktemp("review") / "out", {"alpha.txt": ALPHA, "beta.txt": BETA})


@pytest.fixture
def review_dir(converted: Path, tmp_path: Path) -> Path:
    """A private copy of the converted folder inside ``tmp_path/work``; ``tmp_path/outside`` is a neighbour."""
    target = tmp_path / "work" / "out"
    shutil.copytree(converted, target)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.json").write_text('{"schema_version": "1.2.0", "id": "sha256:' + "0" * 64 + '"}\n')
    return target


@pytest.fixture
def server(review_dir: Path):
    started = threading.Event()
    holder = {}

    def ready(srv) -> None:
        holder["server"] = srv
        started.set()

    thread = threading.Thread(target=serve, args=(review_dir,), kwargs={"editor": "Ann Editor", "ready": ready}, daemon=True)
    thread.start()
    assert started.wait(10), "the review server did not start"
    yield holder["server"]
    holder["server"].shutdown()
    thread.join(10)


def call(server, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    all_headers = {"Host": f"127.0.0.1:{server.port}", **(headers or {})}
    connection.request(method, path, body=body, headers=all_headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def put_decisions(server, name: str, decisions, *, etag: str, token: str | None = None, raw: bytes | None = None):
    headers = {"Content-Type": "application/json", "If-Match": etag, "X-Review-Token": server.token if token is None else token}
    body = raw if raw is not None else json.dumps(decisions).encode()
    return call(server, "PUT", f"/api/doc/{name}/decisions", body, headers)


def load_doc(server, name: str) -> dict:
    status, headers, body = call(server, "GET", f"/api/doc/{name}")
    assert status == 200, body
    assert headers["content-type"] == "application/json"
    return json.loads(body)


def reject_first_entity(doc: dict) -> dict:
    entity = doc["draft"]["entities"][0]
    decision = new_decision("reject", "entity", entity["id"], old=target_value(doc["draft"], "entity", entity["id"]), by="Ann Editor")
    return {**doc["decisions"], "decisions": [*doc["decisions"]["decisions"], decision]}


def files_outside(root: Path, inside: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if p.is_file() and inside not in p.parents
    }


# --- the page and static files ---------------------------------------------------------------------


def test_review_server_page_carries_the_token_and_strict_headers(server) -> None:
    status, headers, body = call(server, "GET", "/")
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert f'<meta name="review-token" content="{server.token}">' in body.decode()
    csp = headers["content-security-policy"]
    for directive in ("default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "img-src 'self' data:"):
        assert directive in csp
    assert headers["x-content-type-options"] == "nosniff"


def test_review_server_token_differs_per_server(review_dir: Path, server) -> None:
    holder, started = {}, threading.Event()
    thread = threading.Thread(target=serve, args=(review_dir,), kwargs={"ready": lambda s: (holder.update(s=s), started.set())}, daemon=True)
    thread.start()
    assert started.wait(10)
    try:
        assert holder["s"].token != server.token and len(server.token) >= 32
    finally:
        holder["s"].shutdown()


@pytest.mark.parametrize(("path", "content_type"), [("/static/app.js", "text/javascript"), ("/static/app.css", "text/css")])
def test_review_server_serves_its_static_files(server, path: str, content_type: str) -> None:
    status, headers, body = call(server, "GET", path)
    assert status == 200 and headers["content-type"].startswith(content_type) and body


@pytest.mark.parametrize(
    "path",
    [
        "/static/../../etc/passwd",
        "/static/..%2F..%2Fetc%2Fpasswd",
        "/static/%2e%2e/server.py",
        "/static/server.py",
        "/static/../server.py",
        "/static/",
        "/static/app.js/..",
        "/../../etc/passwd",
        "/etc/passwd",
        "/api/doc/..%2F..%2Fetc%2Fpasswd",
        "/api/doc/../../etc/passwd",
        "/api/doc/..%2Foutside%2Fsecret",
        "/api/doc/%2Fetc%2Fpasswd",
        "/api/doc/manifest",
        "/api/doc/alpha.review",
        "/api/doc/alpha.json",
        "/api/doc/alpha%00",
        "/api/doc/nope",
    ],
)
def test_review_server_serves_nothing_outside_its_table_and_folder(server, path: str) -> None:
    status, headers, body = call(server, "GET", path)
    assert status == 404
    assert headers["content-type"] == "application/json"
    assert b"root:" not in body and b"sha256:000" not in body


def test_review_server_does_not_follow_a_symlink_out_of_the_folder(server, review_dir: Path) -> None:
    outside = review_dir.parents[1] / "outside" / "secret.json"
    (review_dir / "sneaky.json").symlink_to(outside)
    assert call(server, "GET", "/api/doc/sneaky")[0] == 404
    names = [row["name"] for row in json.loads(call(server, "GET", "/api/queue")[2])["rows"]]
    assert "sneaky" not in names


# --- reading -----------------------------------------------------------------------------------------


def test_review_server_queue_lists_the_drafts_with_the_editor(server) -> None:
    status, headers, body = call(server, "GET", "/api/queue")
    queue = json.loads(body)
    assert status == 200 and headers["content-type"] == "application/json"
    assert queue["editor"] == "Ann Editor"
    assert sorted(row["name"] for row in queue["rows"]) == ["alpha", "beta"]
    assert all(row["status"] == "draft" and "record" not in row for row in queue["rows"])


def test_review_server_document_gives_draft_decisions_reviewed_and_etag(server, review_dir: Path) -> None:
    doc = load_doc(server, "alpha")
    assert doc["name"] == "alpha"
    assert doc["draft"] == load_draft(review_dir / "alpha.json")
    assert doc["decisions"]["decisions"] == [] and doc["reviewed"]["review"] == {"status": "draft"}
    assert doc["etag"] == review_etag(review_dir / "alpha.json")
    entity = doc["draft"]["entities"][0]
    assert {"kind": "entity", "id": entity["id"], "value": target_value(doc["draft"], "entity", entity["id"])} in doc["targets"]


# --- saving ------------------------------------------------------------------------------------------


def test_review_server_save_writes_decisions_and_reviewed_record(server, review_dir: Path) -> None:
    doc = load_doc(server, "alpha")
    decisions = reject_first_entity(doc)
    status, _, body = put_decisions(server, "alpha", decisions, etag=doc["etag"])
    assert status == 200, body
    answer = json.loads(body)
    assert json.loads((review_dir / "alpha.review.json").read_text()) == decisions
    assert answer["etag"] == review_etag(review_dir / "alpha.json") != doc["etag"]
    assert answer["reviewed"]["review"]["counts"]["rejected"] == 1
    assert json.loads((review_dir / "alpha.reviewed.json").read_text())["review"]["status"] == "in_review"


@pytest.mark.parametrize("token", ["", "wrong-token"])
def test_review_server_save_needs_the_token(server, review_dir: Path, token: str) -> None:
    doc = load_doc(server, "alpha")
    status, _, body = put_decisions(server, "alpha", reject_first_entity(doc), etag=doc["etag"], token=token)
    assert status == 403 and b"X-Review-Token" in body
    assert not (review_dir / "alpha.review.json").exists()


def test_review_server_save_refuses_when_the_draft_changed_since_loading(server, review_dir: Path) -> None:
    doc = load_doc(server, "alpha")
    draft_path = review_dir / "alpha.json"
    draft_path.write_text(draft_path.read_text().replace("Ketamine and depression", "Ketamine and Depression"))
    status, _, body = put_decisions(server, "alpha", reject_first_entity(doc), etag=doc["etag"])
    assert status == 409
    assert "changed on disk since this page loaded them" in json.loads(body)["message"]
    assert not (review_dir / "alpha.review.json").exists()


def test_review_server_save_refuses_a_second_save_from_a_stale_page(server, review_dir: Path) -> None:
    doc = load_doc(server, "alpha")
    assert put_decisions(server, "alpha", reject_first_entity(doc), etag=doc["etag"])[0] == 200
    saved = (review_dir / "alpha.review.json").read_bytes()
    assert put_decisions(server, "alpha", doc["decisions"], etag=doc["etag"])[0] == 409
    assert (review_dir / "alpha.review.json").read_bytes() == saved


def test_review_server_save_needs_if_match(server) -> None:
    doc = load_doc(server, "alpha")
    status, _, _ = call(server, "PUT", "/api/doc/alpha/decisions", json.dumps(doc["decisions"]).encode(), {"Content-Type": "application/json", "X-Review-Token": server.token})
    assert status == 428


def test_review_server_save_rejects_invalid_json(server, review_dir: Path) -> None:
    doc = load_doc(server, "alpha")
    status, _, body = put_decisions(server, "alpha", None, etag=doc["etag"], raw=b'{"decisions": [')
    assert status == 400 and "not valid JSON" in json.loads(body)["message"]
    assert not (review_dir / "alpha.review.json").exists()


def test_review_server_save_reports_schema_errors_with_pointers(server, review_dir: Path) -> None:
    doc = load_doc(server, "alpha")
    decisions = reject_first_entity(doc)
    decisions["decisions"][0]["action"] = "delete-everything"
    status, _, body = put_decisions(server, "alpha", decisions, etag=doc["etag"])
    answer = json.loads(body)
    assert status == 400
    assert any(error["pointer"] == "/decisions/0/action" for error in answer["errors"])
    assert "/decisions/0/action" in answer["message"]
    assert not (review_dir / "alpha.review.json").exists()


def test_review_server_save_refuses_an_oversized_body(server, review_dir: Path) -> None:
    doc = load_doc(server, "alpha")
    status, _, body = put_decisions(server, "alpha", None, etag=doc["etag"], raw=b" " * (MAX_BODY_BYTES + 1))
    assert status == 413 and str(MAX_BODY_BYTES) in json.loads(body)["message"]
    assert not (review_dir / "alpha.review.json").exists()


def test_review_server_save_to_an_unknown_name_is_404(server, review_dir: Path) -> None:
    doc = load_doc(server, "alpha")
    for name in ("nope", "..%2F..%2Foutside%2Fsecret", "..%2Foutside%2Fsecret"):
        status, _, _ = put_decisions(server, name, reject_first_entity(doc), etag=doc["etag"])
        assert status == 404
    assert not list(review_dir.parent.parent.rglob("*.review.json"))


def test_review_server_refuses_other_methods(server) -> None:
    assert call(server, "POST", "/api/doc/alpha/decisions", b"{}", {"X-Review-Token": server.token})[0] == 405
    assert call(server, "DELETE", "/api/doc/alpha")[0] == 405


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example:{port}", "127.0.0.1:1", ""])
def test_review_server_refuses_foreign_host_headers(server, host: str) -> None:
    status, _, body = call(server, "GET", "/api/queue", headers={"Host": host.format(port=server.port)})
    assert status == 403 and b"rows" not in body


def test_review_server_accepts_localhost_by_name(server) -> None:
    assert call(server, "GET", "/api/queue", headers={"Host": f"localhost:{server.port}"})[0] == 200


def test_review_server_writes_nothing_outside_its_folder(server, review_dir: Path) -> None:
    root = review_dir.parents[1]
    before = files_outside(root, review_dir)
    doc = load_doc(server, "alpha")
    attempts = ["..%2F..%2Foutside%2Fsecret", "..%2Foutside%2Fsecret", "%2E%2E%2Fx", "alpha%2F..%2F..%2Fx", "."]
    for name in attempts:
        put_decisions(server, name, reject_first_entity(doc), etag=doc["etag"])
    call(server, "PUT", "/api/doc/alpha/../../outside/decisions", b"{}", {"X-Review-Token": server.token, "Content-Type": "application/json", "If-Match": doc["etag"]})
    assert put_decisions(server, "alpha", reject_first_entity(doc), etag=doc["etag"])[0] == 200
    assert files_outside(root, review_dir) == before
    written = {p.name for p in review_dir.iterdir()}
    assert {"alpha.review.json", "alpha.reviewed.json"} <= written
    assert not [name for name in written if name.endswith(".tmp") or name.startswith(".")]


def test_review_server_refuses_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        serve(tmp_path / "missing")


def test_review_server_prints_its_url(review_dir: Path, capsys: pytest.CaptureFixture) -> None:
    holder, started = {}, threading.Event()
    thread = threading.Thread(target=serve, args=(review_dir,), kwargs={"ready": lambda s: (holder.update(s=s), started.set())}, daemon=True)
    thread.start()
    assert started.wait(10)
    holder["s"].shutdown()
    thread.join(10)
    assert f"http://127.0.0.1:{holder['s'].port}/" in capsys.readouterr().out


def test_review_server_skips_files_that_are_not_drafts(server, review_dir: Path) -> None:
    (review_dir / "notes.txt").write_text("x")
    os.makedirs(review_dir / "sub.json")
    names = [row["name"] for row in json.loads(call(server, "GET", "/api/queue")[2])["rows"]]
    assert sorted(names) == ["alpha", "beta"]
