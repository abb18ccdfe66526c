"""The review page in a real browser: keyboard review to a decisions file on disk, XSS, conflicts, screenshot.

Playwright for Python drives Debian's Chromium (/usr/bin/chromium; `make test` installs it where it can).
Playwright's own browser download is never used. Without Chromium or the playwright package the tests
skip with the reason, except under CI=true, where they fail: CI must run them.
Any JavaScript error or console error on the page fails the test that caused it.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest
from conftest import convert_into

from pipeline.review import decisions_path, load_draft, new_decision, reviewed_path, save_decisions, target_value
from pipeline.review.server import serve

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "review-page.png"
IN_CI = os.environ.get("CI", "").lower() == "true"

ALPHA = """Ketamine and depression: a short note

Ketamine blocks the NMDA receptor and raises BDNF in the prefrontal cortex.
Patients with treatment-resistant depression improved within hours.
The new compound zorblatex was given to mice before the test.
Psilocybin also reduces anxiety and activates the 5-HT2A receptor.
"""
XSS_TITLE = '<img src=x onerror="window.__xss=1"> Ketamine <script>window.__xss=1</script>'
XSS_BODY = f"""# {XSS_TITLE}

Ketamine was studied. <script>window.__xss=1</script> The patients had depression.
<img src=x onerror="window.__xss=1"> Psilocybin <b onmouseover="window.__xss=1">was</b> given.
"""


def _need_browser() -> None:
    problems = []
    if not CHROMIUM.exists():
        problems.append(f"{CHROMIUM} is missing (apt-get install chromium; `make test` does it as root)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("the playwright package is missing (pip install -e '.[test]')")
    if problems:
        reason = "browser tests need Chromium and Playwright: " + "; ".join(problems)
        if IN_CI:
            pytest.fail(reason + " (CI=true: these tests must run in CI)")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return convert_into(tmp_path_factory.mktemp("browser") / "out", {"alpha.txt": ALPHA, "xss.md": XSS_BODY})


@pytest.fixture
def review_dir(converted: Path, tmp_path: Path) -> Path:
    target = tmp_path / "out"
    shutil.copytree(converted, target)
    shutil.copytree(converted.parent / "out-sources", tmp_path / "out-sources")
    return target


@pytest.fixture
def server(review_dir: Path):
    started, holder = threading.Event(), {}
    thread = threading.Thread(
        target=serve, args=(review_dir,), kwargs={"editor": "Ann Editor", "ready": lambda s: (holder.update(s=s), started.set())}, daemon=True
    )
    thread.start()
    assert started.wait(10)
    yield holder["s"]
    holder["s"].shutdown()
    thread.join(10)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on("console", lambda msg: errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.set_default_timeout(15000)
    page.review_errors = errors  # a test that provokes an HTTP error on purpose removes the browser's note of it
    yield page
    context.close()
    assert errors == [], "the page logged JavaScript errors"


def open_document(page, server, name: str) -> None:
    from playwright.sync_api import expect

    page.goto(server.url)
    expect(page.locator("#queue-rows tr")).not_to_have_count(0)
    page.locator(f'#queue-rows tr[data-name="{name}"]').click()
    expect(page.locator("#fields .row.selected")).to_have_count(1)


def press(page, keys: str) -> None:
    for key in keys:
        page.keyboard.press(key)


def select_in_text(page, word: str) -> None:
    """Select ``word`` in the article pane as a user would with the mouse (a DOM Range over its text node)."""
    page.evaluate(
        """(word) => {
            const walker = document.createTreeWalker(document.getElementById("text"), NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.data.indexOf(word);
                if (at >= 0) {
                    const range = document.createRange();
                    range.setStart(node, at);
                    range.setEnd(node, at + word.length);
                    getSelection().removeAllRanges();
                    getSelection().addRange(range);
                    return;
                }
            }
            throw new Error("word not in the text: " + word);
        }""",
        word,
    )


def select_field(page, key: str) -> None:
    """Move the selection with j until the field ``kind|id`` is selected (keyboard only)."""
    for _ in range(400):
        if page.locator("#fields .row.selected").get_attribute("data-key") == key:
            return
        page.keyboard.press("j")
    raise AssertionError(f"j never reached {key}")


def test_review_page_keyboard_review_writes_the_decisions_file(page, server, review_dir: Path) -> None:
    from playwright.sync_api import expect

    draft = load_draft(review_dir / "alpha.json")
    entities = draft["entities"]
    assert len(entities) >= 4, "the test article should give at least four entities"
    open_document(page, server, "alpha")
    select_field(page, f"entity|{entities[0]['id']}")
    press(page, "a")  # accept entity 0, moves on to entity 1
    press(page, "x")  # reject entity 1, moves on to entity 2
    press(page, "a")  # accept entity 2 ...
    press(page, "u")  # ... and take it back
    press(page, "k")
    press(page, "j")  # still on entity 2
    expect(page.locator("#fields .row.selected")).to_have_attribute("data-key", f"entity|{entities[2]['id']}")
    press(page, "e")
    expect(page.locator(".editor select")).to_be_focused()
    new_label = "PROCESS" if entities[2]["label"] != "PROCESS" else "ANATOMY"
    page.keyboard.type(new_label)
    page.keyboard.press("Enter")
    expect(page.locator(".editor")).to_have_count(0)
    select_in_text(page, "zorblatex")
    press(page, "n")
    expect(page.locator("#add-box select")).to_be_focused()
    page.keyboard.type("COMPOUND")
    page.keyboard.press("Enter")
    expect(page.locator("#unsaved")).to_have_text("4 unsaved")
    press(page, "s")
    expect(page.locator("#message")).to_contain_text("Saved 4 decisions")
    expect(page.locator("#unsaved")).to_have_text("")

    saved = json.loads(decisions_path(review_dir / "alpha.json").read_text())
    decisions = saved["decisions"]
    assert saved["record_id"] == draft["id"]
    assert [(d["action"], d["target"]["kind"]) for d in decisions] == [("accept", "entity"), ("reject", "entity"), ("edit", "entity"), ("add", "entity")]
    assert [d["target"]["id"] for d in decisions[:3]] == [e["id"] for e in entities[:3]]
    for decision, entity in zip(decisions[:3], entities[:3]):
        assert decision["old"] == target_value(draft, "entity", entity["id"])
    assert decisions[0]["new"] is None and decisions[1]["new"] is None
    assert decisions[2]["new"] == {"label": new_label}
    start = draft["text"].index("zorblatex")
    assert decisions[3]["old"] is None
    assert decisions[3]["new"] == {"text": "zorblatex", "label": "COMPOUND", "start": start, "end": start + len("zorblatex")}
    assert all(d["by"] == "Ann Editor" and d["at"].endswith("Z") for d in decisions)

    reviewed = json.loads(reviewed_path(review_dir / "alpha.json").read_text())
    added = [e for e in reviewed["entities"] if e["text"] == "zorblatex"]
    assert added and added[0]["review"]["decision"] == "added" and added[0]["id"] == decisions[3]["target"]["id"]
    assert reviewed["review"]["counts"]["conflicts"] == 0


def test_review_page_field_and_span_find_each_other(page, server, review_dir: Path) -> None:
    from playwright.sync_api import expect

    entity = load_draft(review_dir / "alpha.json")["entities"][1]
    open_document(page, server, "alpha")
    page.locator(f'#fields .row[data-key="entity|{entity["id"]}"]').click()
    current = page.locator("#text .current")
    expect(current.first).to_have_attribute("data-start", str(entity["start"]))
    assert "".join(current.all_text_contents()) == entity["text"]
    press(page, "j")  # move away, then click the span in the text
    page.locator(f'#text [data-start="{entity["start"]}"]').click()
    expect(page.locator("#fields .row.selected")).to_have_attribute("data-key", f"entity|{entity['id']}")


def test_review_page_help_and_keys_off_while_typing(page, server) -> None:
    from playwright.sync_api import expect

    open_document(page, server, "alpha")
    press(page, "?")
    expect(page.locator("#help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#help")).to_be_hidden()
    select_field(page, "article|article.title")
    press(page, "e")
    page.keyboard.type("jkaxus")  # typed into the form, not taken as commands
    expect(page.locator("#unsaved")).to_have_text("")
    page.keyboard.press("Escape")
    expect(page.locator(".editor")).to_have_count(0)


def test_review_page_never_executes_article_markup(page, server, review_dir: Path) -> None:
    from playwright.sync_api import expect

    record_path = review_dir / "xss.json"
    draft = load_draft(record_path)
    assert "<script>" in draft["text"]
    start = draft["text"].index("<script>")
    end = draft["text"].index("</script>") + len("</script>")
    add = new_decision("add", "entity", "ent-0000000000", new={"text": draft["text"][start:end], "label": "COMPOUND", "start": start, "end": end}, by="Mallory")
    edit = new_decision("edit", "article", "article.title", old=target_value(draft, "article", "article.title"), new={"value": XSS_TITLE}, by="Mallory")
    save_decisions(record_path, {"decisions_version": "1.0.0", "record_id": draft["id"], "source_path": draft["source"]["path"], "decisions": [add, edit]})

    page.goto(server.url)
    expect(page.locator('#queue-rows tr[data-name="xss"]')).to_have_count(1)
    page.locator('#queue-rows tr[data-name="xss"]').click()
    expect(page.locator("#text")).to_contain_text("<script>window.__xss=1</script>")
    expect(page.locator("#fields")).to_contain_text('onerror="window.__xss=1"')
    page.locator("#text").hover()
    assert page.evaluate("window.__xss") is None
    assert page.locator("#text img, #text script, #text b, #fields img, #fields script, #bar img, #queue img").count() == 0


def test_review_page_shows_409_when_the_draft_changed_and_reloads(page, server, review_dir: Path) -> None:
    from playwright.sync_api import expect

    draft = load_draft(review_dir / "alpha.json")
    open_document(page, server, "alpha")
    select_field(page, f"entity|{draft['entities'][0]['id']}")
    press(page, "x")
    sources = review_dir.parent / "out-sources"
    (sources / "alpha.txt").write_text(ALPHA + "A new closing line about lithium.\n", encoding="utf-8")
    convert_into(review_dir, {})  # the editor's colleague re-runs convert
    assert load_draft(review_dir / "alpha.json")["id"] != draft["id"]
    press(page, "s")
    expect(page.locator("#banner")).to_contain_text("changed on disk since this page loaded them")
    assert not decisions_path(review_dir / "alpha.json").exists()
    expected = [e for e in page.review_errors if "status of 409 (Conflict)" in e]
    assert len(expected) == 1  # Chromium's own console note of the refused request, not a page error
    page.review_errors.remove(expected[0])
    press(page, "r")
    expect(page.locator("#message")).to_contain_text("Reloaded; your 1 unsaved decisions are kept")
    expect(page.locator("#banner")).to_be_hidden()
    press(page, "s")
    expect(page.locator("#message")).to_contain_text("Saved 1 decisions")
    saved = json.loads(decisions_path(review_dir / "alpha.json").read_text())
    assert [d["action"] for d in saved["decisions"]] == ["reject"]


def test_review_page_screenshot(page, server) -> None:
    """Renders a reviewed document and keeps a screenshot for docs/review.md.

    The committed docs/review-page.png is replaced only when it is missing or
    PIPELINE_UPDATE_SCREENSHOT=1, so a test run does not dirty the checkout with new pixels.
    """
    from playwright.sync_api import expect

    open_document(page, server, "alpha")
    press(page, "jjjjjjjjjjjjjj")
    press(page, "a")
    press(page, "x")
    expect(page.locator("#unsaved")).to_have_text("2 unsaved")
    shot = page.screenshot()
    assert shot[:8] == b"\x89PNG\r\n\x1a\n"
    if not SCREENSHOT.exists() or os.environ.get("PIPELINE_UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.write_bytes(shot)
