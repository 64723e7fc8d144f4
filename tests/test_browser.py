"""The web app in a real headless Chromium (Playwright), against `liner serve` on an index of seeds/.

Playwright cannot download its own browser here, so these drive Debian's /usr/bin/chromium.
Without it they skip, except in CI (CI=true), where a missing browser is a failure.
They also save the screenshots docs/web.md shows.

    .venv/bin/python -m pytest -q tests/test_browser.py
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from search.render import markdown_hit

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
QUESTION = "Who plays Joanna Kassem?"
CAST_FILE = "seeds/003_77ca1b77362e00a9.txt"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SERVER_START_S = 30


# -- fixtures: a real server, a real browser -------------------------------------------------


@pytest.fixture(scope="module")
def server(seeds_index, tmp_path_factory):
    """`liner serve` (waitress) in a subprocess on a free port; yields its base URL."""
    port = _free_port()
    log = (tmp_path_factory.mktemp("server") / "serve.log").open("w+")
    liner = Path(sys.executable).with_name("liner")
    command = [str(liner)] if liner.exists() else [sys.executable, "-c", "from search.cli import main; main()"]
    process = subprocess.Popen(
        [*command, "serve", "--index", str(seeds_index), "--port", str(port)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base, process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install it with `apt-get install -y chromium` to run the browser tests"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, server):
    """A fresh page (own context) that records dialogs, page errors and CSP violations; the
    test fails if any JavaScript error or CSP violation happened."""
    context = browser.new_context(viewport=DESKTOP, color_scheme="light", base_url=server)
    page = context.new_page()
    page.dialogs, page.problems = [], []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: page.problems.append(f"page error: {error}"))
    page.on("console", lambda message: page.problems.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text else None)
    yield page
    context.close()
    assert page.problems == []


# -- tests -------------------------------------------------------------------------------------


def test_typing_a_question_shows_the_answer_and_highlighted_results(page, server):
    from playwright.sync_api import expect

    page.goto("/")
    page.locator("#q").press_sequentially(QUESTION, delay=15)
    expect(page.locator(".answer-text")).to_have_text("Jenna Dewan")
    expect(page.locator(".result").first.locator("mark").first).to_be_visible()
    expect(page.locator("#results")).to_have_attribute("data-query", QUESTION)
    expect(page).to_have_url(re.compile(r"/search\?q=Who\+plays\+Joanna\+Kassem%3F$"))
    expect(page).to_have_title(f"{QUESTION} — Liner")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "search-desktop.png")


def test_phone_layout_screenshot(browser, server):
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PHONE, color_scheme="light", is_mobile=True, has_touch=True, base_url=server)
    page = context.new_page()
    page.goto(f"/search?q={QUESTION}")
    expect(page.locator(".answer-text")).to_have_text("Jenna Dewan")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"
    page.screenshot(path=SCREENSHOTS / "search-phone.png")
    context.close()


def test_a_result_opens_the_document_at_the_cited_lines(page):
    from playwright.sync_api import expect

    page.goto(f"/search?q={QUESTION}")
    page.locator(".result-link").first.click()
    expect(page).to_have_url(re.compile(rf"/doc/{re.escape(CAST_FILE)}\?lines=33-33#L33$"))
    cited = page.locator("#L33")
    expect(cited).to_have_class(re.compile(r"\bcited\b"))
    expect(cited).to_contain_text("Jenna Dewan as Joanna Kassem")
    expect(cited).to_be_in_viewport()
    # Not hidden under the sticky header either.
    header_bottom = page.locator(".site-header").bounding_box()["y"] + page.locator(".site-header").bounding_box()["height"]
    assert cited.bounding_box()["y"] >= header_bottom


def test_without_javascript_the_form_and_anchors_still_work(browser, server):
    from playwright.sync_api import expect

    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False, base_url=server)
    page = context.new_page()
    page.goto("/")
    page.locator("#q").fill(QUESTION)
    page.locator("#q").press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=Who\+plays"))
    expect(page.locator(".answer-text")).to_have_text("Jenna Dewan")
    page.goto(f"/doc/{CAST_FILE}?lines=60-64#L60")
    expect(page.locator("#L60")).to_be_in_viewport()
    expect(page.locator("#L64")).to_have_class(re.compile(r"\bcited\b"))
    context.close()


def test_keyboard_slash_arrows_enter_and_escape(page):
    from playwright.sync_api import expect

    page.goto(f"/search?q={QUESTION}")
    box = page.locator("#q")
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("/")
    expect(box).to_be_focused()
    expect(box).to_have_attribute("role", "combobox")
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#result-list")).to_have_attribute("role", "listbox")

    page.keyboard.press("ArrowDown")
    expect(page.locator("#result-1")).to_have_class(re.compile(r"\bactive\b"))
    expect(page.locator("#result-1")).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", "result-1")
    page.keyboard.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "result-2")
    expect(page.locator("#result-1")).to_have_attribute("aria-selected", "false")
    page.keyboard.press("ArrowUp")
    expect(box).to_have_attribute("aria-activedescendant", "result-1")
    expect(box).to_be_focused()  # focus stays in the box (aria-activedescendant pattern)

    target = page.locator("#result-1 .result-link").get_attribute("href")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(target) + "$"))

    page.go_back()
    expect(box).to_have_value(QUESTION)
    page.keyboard.press("/")
    page.keyboard.press("Escape")
    expect(box).to_have_value("")
    expect(page.locator(".result")).to_have_count(0)
    expect(page.locator('[data-state="empty"]')).to_be_visible()
    expect(page).to_have_url(re.compile(r"/$"))


def test_typing_cancels_the_stale_request(page):
    from playwright.sync_api import Error, expect

    # Record each fetch and whether the page aborted it; hold the responses so they cannot race.
    page.add_init_script("""
        window.fetchLog = [];
        const realFetch = window.fetch;
        window.fetch = (url, options = {}) => {
          const entry = { url: String(url), aborted: false };
          window.fetchLog.push(entry);
          if (options.signal) options.signal.addEventListener("abort", () => { entry.aborted = true; });
          return realFetch(url, options);
        };
    """)
    held = []
    page.route("**/results?**", lambda route: held.append(route))
    page.goto("/")
    page.locator("#q").fill("Who plays")
    page.wait_for_function("() => window.fetchLog.length === 1")
    page.locator("#q").fill(QUESTION)
    page.wait_for_function("() => window.fetchLog.length === 2")
    assert page.evaluate("window.fetchLog.map(entry => entry.aborted)") == [True, False]
    page.unroute("**/results?**")
    for route in held:
        try:
            route.continue_()
        except Error:
            pass  # the aborted one
    expect(page.locator("#results")).to_have_attribute("data-query", QUESTION)
    expect(page.locator(".answer-text")).to_have_text("Jenna Dewan")


def test_copy_as_markdown_copies_the_cli_markdown(browser, server, engine):
    from playwright.sync_api import expect

    context = browser.new_context(viewport=DESKTOP, base_url=server)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page = context.new_page()
    page.goto(f"/search?q={QUESTION}")
    hit = engine.ask(QUESTION).results[0]
    expected = markdown_hit(hit, link=lambda path, start, end: f"{server}/doc/{path}?lines={start}-{end}#L{start}")
    button = page.locator("#result-1 .copy-button")
    expect(button).to_be_visible()  # hidden until the script can copy
    assert button.get_attribute("data-markdown") == expected
    button.click()
    expect(button).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == expected
    context.close()


def test_a_script_query_is_shown_as_text_and_never_runs(page):
    from playwright.sync_api import expect

    attack = "<script>alert(1)</script>"
    page.goto("/")
    page.locator("#q").fill(attack)
    expect(page.locator("#results")).to_have_attribute("data-query", attack)
    expect(page.get_by_text(f"No passages match “{attack}”")).to_be_visible()
    page.goto(f"/search?q={attack}<img src=x onerror=alert(2)>")
    expect(page.get_by_text(attack, exact=False).first).to_be_visible()
    expect(page.locator("#q")).to_have_value(f"{attack}<img src=x onerror=alert(2)>")
    assert page.locator("script").count() == 1  # only /static/liner.js
    assert page.locator("img").count() == 0
    page.wait_for_timeout(200)
    assert page.dialogs == []


def test_the_server_sends_its_headers_without_a_version(page):
    response = page.goto("/")
    headers = response.headers
    assert headers["server"] == "liner"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"


# -- helpers -----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(base: str, process: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            pytest.fail(f"`liner serve` exited with {process.returncode}:\n{log.read()}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    pytest.fail(f"`liner serve` did not answer /healthz within {SERVER_START_S} s")
