"""The web app in a real headless Chromium (Playwright), against `liner serve` on an index of seeds/.

Playwright cannot download its own browser here, so these drive Debian's /usr/bin/chromium.
Without it they skip, except in CI (CI=true), where a missing browser is a failure. axe-core
checks the pages for accessibility offline, from the copy the axe-playwright-python package ships.

They also take screenshots of each page at desktop and phone widths: into a temporary folder, or
into $LINER_SCREENSHOTS (`make screenshots` sets it to docs/screenshots, the pictures docs/web.md
shows), so that `make test` leaves a clone as it found it.

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
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
QUESTION = "Who plays Joanna Kassem?"
UNANSWERED = "Who won an Emmy for Soundtrack?"
DISPUTED = "How many reviews is the Rotten Tomatoes rating based on?"
CAST_FILE = "seeds/003_77ca1b77362e00a9.txt"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
WIDTHS = {"desktop": DESKTOP, "phone": PHONE}
SERVER_START_S = 30
# The pages axe checks and docs/web.md shows: (name, address, what marks it as loaded).
PAGES = [
    ("home", "/", '[data-state="empty"]'),
    ("results", f"/search?q={QUESTION}", ".answer-card"),
    ("no-answer", f"/search?q={UNANSWERED}", '[data-state="no-answer"]'),
    ("conflict", f"/search?q={DISPUTED}", ".conflicts"),
    ("document", f"/doc/{CAST_FILE}?lines=33-33&q={QUESTION}&answer=Jenna+Dewan#L33", ".line.cited"),
]
# WCAG 2.5.5: a tap target at least 44 CSS pixels tall on a phone.
TAP_TARGET_PX = 44


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
def screenshots(tmp_path_factory) -> Path:
    """Where screenshots go: $LINER_SCREENSHOTS (`make screenshots`), else a temporary folder."""
    folder = Path(os.environ.get("LINER_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


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


# -- tests ---------------------------------------------------------------------------------------


def test_typing_a_question_shows_the_answer_and_highlighted_results(page, server):
    from playwright.sync_api import expect

    page.goto("/")
    page.locator("#q").press_sequentially(QUESTION, delay=15)
    expect(page.locator(".answer-text")).to_have_text("Jenna Dewan")
    expect(page.locator(".result").first.locator("mark").first).to_be_visible()
    expect(page.locator("#results")).to_have_attribute("data-query", QUESTION)
    expect(page).to_have_url(re.compile(r"/search\?q=Who\+plays\+Joanna\+Kassem%3F$"))
    expect(page).to_have_title(f"{QUESTION} — Liner")


def test_results_settle_as_you_type(page):
    """Typed at 250 ms a key, as a person types: no answer card and nothing read out until the
    question is complete, and then one announcement."""
    from playwright.sync_api import expect

    page.goto("/")
    page.evaluate("""() => {
        window.answersSeen = []; window.announced = [];
        new MutationObserver(() => {
            const answer = document.querySelector('.answer-text');
            if (answer) window.answersSeen.push([document.getElementById('q').value, answer.textContent]);
        }).observe(document.getElementById('results'), {childList: true, subtree: true});
        new MutationObserver(() => {
            const text = document.getElementById('status').textContent;
            if (text) window.announced.push(text);
        }).observe(document.getElementById('status'), {childList: true, characterData: true, subtree: true});
    }""")
    box = page.locator("#q")
    box.press_sequentially("Who plays Joann", delay=250)
    # The word being typed is matched as a prefix: "Joann" already finds Joanna's passages.
    expect(page.locator(".result").first).to_contain_text("Joanna")
    expect(page.locator('[data-settled="false"]')).to_be_attached()
    assert page.evaluate("window.answersSeen") == []
    box.press_sequentially("a Kassem?", delay=250)
    expect(page.locator(".answer-text")).to_have_text("Jenna Dewan")
    page.wait_for_timeout(1200)  # past any settling pause
    assert {text for query, text in page.evaluate("window.answersSeen")} == {"Jenna Dewan"}
    assert all(query == QUESTION for query, _ in page.evaluate("window.answersSeen"))
    announced = page.evaluate("window.announced")
    assert len(announced) == 1 and announced[0].startswith("Answer: Jenna Dewan.")


def test_a_pause_settles_an_unfinished_question(page):
    from playwright.sync_api import expect

    page.goto("/")
    page.locator("#q").press_sequentially("who plays joanna kassem", delay=20)
    expect(page.locator('[data-settled="false"]')).to_be_attached()
    expect(page.locator(".answer-text")).to_have_text("Jenna Dewan", timeout=5000)  # after the pause
    expect(page.locator("#status")).to_contain_text("Answer: Jenna Dewan.")


def test_a_failed_fetch_clears_the_old_answer_and_shows_the_error(page):
    from playwright.sync_api import expect

    page.goto(f"/search?q={QUESTION}")
    expect(page.locator(".answer-text")).to_have_text("Jenna Dewan")
    page.route("**/results?**", lambda route: route.abort())
    page.locator("#q").press("End")
    page.locator("#q").press_sequentially(" And who plays Nellie?", delay=10)
    error = page.locator('[data-state="fetch-error"]')
    expect(error).to_be_visible()
    expect(error).to_contain_text("Could not get results")
    expect(page.locator(".answer-card")).to_have_count(0)
    expect(page.locator(".result")).to_have_count(0)


def test_back_after_typing_stays_on_the_site(page, server):
    from playwright.sync_api import expect

    page.goto("/")
    page.locator("#q").press_sequentially(QUESTION, delay=10)
    expect(page.locator(".answer-text")).to_have_text("Jenna Dewan")
    page.go_back()
    expect(page).to_have_url(f"{server}/")
    expect(page.locator('[data-state="empty"]')).to_be_visible()
    expect(page.locator("#q")).to_have_value("")
    page.go_forward()
    expect(page.locator(".answer-text")).to_have_text("Jenna Dewan")
    expect(page.locator("#q")).to_have_value(QUESTION)


def test_more_results_reaches_every_passage_the_count_gives(page, engine):
    from playwright.sync_api import expect

    total = engine.ask(QUESTION, limit=100).total
    assert total > 10
    page.goto(f"/search?q={QUESTION}")
    expect(page.locator(".result-count")).to_contain_text(f"1–10 of {total} passages")
    expect(page.locator(".result")).to_have_count(10)
    page.locator(".more-link").click()
    expect(page.locator(".result")).to_have_count(total)
    expect(page.locator(".more-link")).to_have_count(0)
    ranks = page.locator(".result").evaluate_all("items => items.map(item => Number(item.id.split('-')[1]))")
    assert sorted(ranks) == list(range(1, total + 1))
    paths = page.locator(".result-group").evaluate_all("groups => groups.map(group => group.dataset.path)")
    assert len(paths) == len(set(paths)), "a document's passages are under one title"


def test_a_result_opens_the_document_at_the_cited_lines_with_the_query(page):
    from playwright.sync_api import expect

    page.goto(f"/search?q={QUESTION}")
    page.locator(".answer-source .citation").click()
    expect(page).to_have_url(re.compile(rf"/doc/{re.escape(CAST_FILE)}\?lines=33-33&q=.*#L33$"))
    cited = page.locator("#L33")
    expect(cited).to_have_class(re.compile(r"\bcited\b"))
    expect(cited.locator("mark.answer-mark")).to_have_text("Jenna Dewan")
    expect(cited.locator("mark:not(.answer-mark)")).to_have_text("Joanna Kassem")
    expect(cited).to_be_in_viewport()
    # Not hidden under the sticky header either.
    header = page.locator(".site-header").bounding_box()
    assert cited.bounding_box()["y"] >= header["y"] + header["height"]
    expect(page.locator("#q")).to_have_value(QUESTION)
    page.locator(".back-link").click()
    expect(page.locator(".answer-text")).to_have_text("Jenna Dewan")


def test_without_javascript_the_form_and_anchors_still_work(browser, server):
    from playwright.sync_api import expect

    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False, base_url=server)
    page = context.new_page()
    page.goto("/")
    page.locator("#q").fill(QUESTION)
    page.locator("#q").press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=Who\+plays"))
    expect(page.locator(".answer-text")).to_have_text("Jenna Dewan")
    page.locator(".more-link").click()
    expect(page.locator("#result-11")).to_be_visible()
    page.goto(f"/doc/{CAST_FILE}?lines=60-64#L60")
    expect(page.locator("#L60")).to_be_in_viewport()
    expect(page.locator("#L64")).to_have_class(re.compile(r"\bcited\b"))
    context.close()


def test_keyboard_slash_ctrl_k_arrows_enter_and_escape(page):
    from playwright.sync_api import expect

    page.goto(f"/search?q={QUESTION}")
    box = page.locator("#q")
    for keys in ("/", "Control+k", "Meta+k"):
        page.locator("body").click(position={"x": 5, "y": 300})
        expect(box).not_to_be_focused()
        page.keyboard.press(keys)
        expect(box).to_be_focused()

    first, second = page.locator(".result-link").nth(0), page.locator(".result-link").nth(1)
    page.keyboard.press("ArrowDown")
    expect(first).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(second).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(first).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(box).to_be_focused()

    page.keyboard.press("ArrowDown")
    target = first.get_attribute("href")
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


def test_the_home_page_focuses_the_box_and_its_examples_are_links(page):
    from playwright.sync_api import expect

    page.goto("/")
    expect(page.locator("#q")).to_be_focused()
    example = page.locator(".example").first
    title = example.inner_text()
    example.click()
    expect(page.locator("#q")).to_have_value(title)
    expect(page.locator(".result").first).to_be_visible()


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
    assert "**Joanna Kassem**" in expected  # the matched words bold as one run
    button.click()
    expect(button).to_contain_text("Copied")
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


# -- phones --------------------------------------------------------------------------------------


@pytest.fixture()
def phone(browser, server):
    context = browser.new_context(viewport=PHONE, color_scheme="light", is_mobile=True, has_touch=True, base_url=server)
    yield context.new_page()
    context.close()


def test_on_a_phone_the_box_is_wide_and_16_px_and_targets_are_44_px(phone):
    from playwright.sync_api import expect

    phone.goto(f"/search?q={DISPUTED}")
    expect(phone.locator(".conflicts")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "the page scrolls sideways"
    box = phone.locator("#q")
    assert phone.evaluate("getComputedStyle(document.getElementById('q')).fontSize") == "16px"  # iOS zooms below
    assert box.bounding_box()["width"] >= PHONE["width"] * 0.7
    targets = ".citation, .copy-button, .group-link, .search-button, .more-link, .suggestion-link, .also-in-link"
    small = phone.locator(targets).evaluate_all(f"""nodes => nodes
        .filter(node => node.offsetParent !== null)
        .map(node => [node.className, node.getBoundingClientRect().height])
        .filter(([name, height]) => height < {TAP_TARGET_PX})""")
    assert small == []


# -- accessibility and screenshots ----------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name, address, ready", PAGES, ids=[name for name, _, _ in PAGES])
def test_axe_finds_no_violations(browser, server, name, address, ready, scheme):
    from axe_playwright_python.base import AXE_SCRIPT
    from playwright.sync_api import expect

    for width in WIDTHS.values():
        context = browser.new_context(viewport=width, color_scheme=scheme, base_url=server)
        page = context.new_page()
        page.goto(address)
        expect(page.locator(ready).first).to_be_visible()
        page.evaluate(AXE_SCRIPT)  # evaluated by the browser's debugger protocol: the page's CSP does not apply
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        context.close()
        violations = [(v["id"], v["impact"], [node["target"] for node in v["nodes"]][:3]) for v in result["violations"]]
        assert violations == [], f"{name} ({scheme}, {width['width']} px): {violations}"


@pytest.mark.parametrize("name, address, ready", PAGES, ids=[name for name, _, _ in PAGES])
def test_screenshots_of_each_page_at_both_widths(browser, server, screenshots, name, address, ready):
    from playwright.sync_api import expect

    for label, width in WIDTHS.items():
        phone = label == "phone"
        context = browser.new_context(viewport=width, color_scheme="light", is_mobile=phone, has_touch=phone,
                                      base_url=server)
        page = context.new_page()
        page.goto(address)
        expect(page.locator(ready).first).to_be_visible()
        page.evaluate("document.activeElement && document.activeElement.blur()")  # no caret in the picture
        page.screenshot(path=screenshots / f"{name}-{label}.png")
        context.close()
        assert (screenshots / f"{name}-{label}.png").stat().st_size > 0

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
