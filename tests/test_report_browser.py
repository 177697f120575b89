"""The HTML report in a real browser (headless Chromium): no injected script runs, the charts render.

Needs Debian's chromium (``.ci/run`` installs it where it can) and the ``playwright`` package (a test extra),
which drives that browser; skipped with the reason when either is missing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import contribfunnel as cf
from test_report import XSS_LABEL, XSS_LOGIN, XSS_TITLE, hostile_activity

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (Debian package 'chromium'; .ci/run installs it)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a test extra: pip install -e '.[test]'")

#: How the workplace's browser must start: no sandbox as root, no background traffic on a closed network.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def test_report_renders_in_chromium_and_runs_no_injected_script(tmp_path: Path) -> None:
    page_path = tmp_path / "report.html"
    cf.report(hostile_activity(), quarter="2026Q3").to_html(page_path)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_path.as_uri(), wait_until="load")
            # The injected payloads would set window.__pwned; none may run.
            assert page.evaluate("typeof window.__pwned") == "undefined"
            assert not dialogs and not errors
            # ...and none became an element: only our own markup is in the DOM.
            assert page.evaluate("document.querySelectorAll('script, svg, iframe, object, embed').length") == 0
            assert page.evaluate(
                "[...document.querySelectorAll('*')].flatMap(e => [...e.attributes])"
                ".filter(a => a.name.startsWith('on')).length") == 0
            text = page.inner_text("body")
            assert XSS_TITLE in text and XSS_LOGIN in text
            assert XSS_LABEL not in page.content() or "&quot;&gt;&lt;svg" in page.content()
            # Every chart rendered: decoded images with real sizes, and nothing fetched but the page itself.
            sizes = page.evaluate("[...document.images].map(i => [i.complete, i.naturalWidth, i.naturalHeight])")
            assert len(sizes) == 7 and all(ok and w > 300 and h > 200 for ok, w, h in sizes)
            assert {u.split(":", 1)[0] for u in requests} <= {"file", "data"}
            ARTIFACTS.mkdir(exist_ok=True)
            shot = ARTIFACTS / "report.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 50_000
        finally:
            browser.close()
