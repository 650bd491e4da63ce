"""`kmyreport preview` in a real browser: Debian's Chromium, headless, driven by Playwright.

One server and one browser for the module. The page must show one image per page,
follow an article edit without a reload (rendering only the page that changed), show
a template error with its file and line over the last good pages, and come back when
the template is fixed. The server must serve nothing but its own pages.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kmyreport.preview import PreviewServer

from .conftest import ARTICLE, MANIFEST, Scratch, jpeg_bytes, make_workspace

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
needs_chromium = pytest.mark.skipif(CHROMIUM is None and os.environ.get("CI") != "true",
                                    reason="Debian's chromium is not installed (./dev test installs it)")
WAIT_MS = 60_000
# The thumbnails and the first page are loaded (the other pages load lazily, as they scroll into view).
LOADED = ("[...document.querySelectorAll('nav img'), document.querySelector('main img')]"
          ".every((i) => i.complete && i.naturalWidth > 0)")


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), start=1) if needle in line)


@pytest.fixture(scope="module")
def issue(tmp_path_factory: pytest.TempPathFactory, font_store: Path) -> Scratch:
    ws = make_workspace(tmp_path_factory.mktemp("preview") / "ws", font_store)
    ws.write("sources/t/issue.yaml", MANIFEST)
    ws.write("sources/t/articles/a.md", ARTICLE)
    ws.write("sources/t/photos/p.jpg", jpeg_bytes())
    return ws


@pytest.fixture(scope="module")
def preview(issue: Scratch) -> Iterator[PreviewServer]:
    """The server, started before the browser so that its first build overlaps the browser's start."""
    with PreviewServer(issue.manifest(), port=0, edition="screen") as server:
        yield server


@pytest.fixture(scope="module")
def browser_page(preview: PreviewServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "CI installs Debian's chromium (./dev test)"
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900})  # a fresh user-data-dir
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def state(page) -> dict:
    return page.evaluate("fetch('/state').then((r) => r.json())")


def wait_for_build(page, after: int) -> dict:
    """Wait until the page shows a finished build newer than version `after`; the state it shows."""
    page.wait_for_function(f"Number(document.body.dataset.version) > {after} "
                           "&& document.body.dataset.building === 'false'", timeout=WAIT_MS)
    return state(page)


@needs_chromium
def test_the_preview_page_follows_edits_and_errors(issue: Scratch, preview: PreviewServer, browser_page,
                                                   tmp_path: Path) -> None:
    page, server = browser_page, preview
    page.goto(server.url)
    first = wait_for_build(page, 0)
    assert first["error"] is None and len(first["pages"]) >= 3

    # One image per page, each loaded, with thumbnails and page numbers beside them.
    page.wait_for_function(LOADED,
                           timeout=WAIT_MS)
    images = page.eval_on_selector_all("main img.page-image", "(all) => all.map((i) => i.getAttribute('src'))")
    assert images == [p["full"] for p in first["pages"]]
    assert page.locator("nav img.thumb-image").count() == len(first["pages"])
    assert page.locator("figure.page figcaption").all_inner_texts() == [str(p["number"]) for p in first["pages"]]
    assert "built" in page.inner_text("#status")
    assert page.locator("nav a.changed").count() == 0, "nothing is marked as changed on the first build"
    assert page.eval_on_selector_all("#edition option", "(all) => all.map((o) => o.value)")[:2] == ["print", "screen"]
    page.screenshot(path=str(tmp_path / "preview.png"))
    page.evaluate("window.loadedOnce = 'yes'")  # gone if the page were reloaded

    # An edit to the article: the page updates itself; only the changed page is rendered again.
    rendered_before = len(server.session.images.rendered)
    issue.write("sources/t/articles/a.md", ARTICLE.replace("第二段正文。", "第二段正文，改过了，再加一句。"))
    edited = wait_for_build(page, first["version"])
    assert edited["error"] is None and edited["changed"], "the article's page changed"
    changed_keys = {p["key"] for p in edited["pages"] if p["number"] in edited["changed"]}
    assert edited["pages"][0]["key"] == first["pages"][0]["key"], "the cover did not change"
    page.wait_for_function(LOADED,
                           timeout=WAIT_MS)
    shown = page.eval_on_selector_all("main img.page-image", "(all) => all.map((i) => i.getAttribute('src'))")
    assert shown == [p["full"] for p in edited["pages"]]
    assert page.evaluate("window.loadedOnce") == "yes", "no reload"
    marked = page.eval_on_selector_all("nav a", "(all) => all.map((a) => a.classList.contains('changed'))")
    assert marked == [p["number"] in edited["changed"] for p in edited["pages"]], "the changed pages are marked"
    renders = server.session.images.rendered[rendered_before:]
    assert renders and {key for key, _size in renders} <= changed_keys, "only changed pages are rendered"

    # A broken template: its file and line on the page, the last good pages still there.
    template = issue.root / "layouts" / "bulletin" / "templates" / "article.html.j2"
    good = template.read_text(encoding="utf-8")
    bad = good.replace("{{ article.title }}", "{{ article.titel }}", 1)
    template.write_text(bad, encoding="utf-8")
    broken = wait_for_build(page, edited["version"])
    where = f"layouts/bulletin/templates/article.html.j2:{line_of(bad, 'titel')}"
    assert broken["error"]["where"] == where
    assert page.is_visible("#error") and page.inner_text("#error-where") == where
    assert "titel" in page.inner_text("#error-message")
    assert page.locator("main img.page-image").count() == len(edited["pages"])
    assert page.eval_on_selector_all("main img.page-image", "(all) => all.map((i) => i.getAttribute('src'))") == shown
    page.screenshot(path=str(tmp_path / "preview-error.png"))

    # Fixing it brings the pages back and the error goes.
    template.write_text(good, encoding="utf-8")
    fixed = wait_for_build(page, broken["version"])
    assert fixed["error"] is None and not page.is_visible("#error")
    assert [p["key"] for p in fixed["pages"]] == [p["key"] for p in edited["pages"]]
    assert page.evaluate("window.loadedOnce") == "yes"
    if os.environ.get("KMY_PREVIEW_SHOTS"):  # keep the screenshots to look at
        for shot in tmp_path.glob("preview*.png"):
            shutil.copy(shot, Path(os.environ["KMY_PREVIEW_SHOTS"]) / shot.name)


def raw_get(port: int, path: str) -> tuple[int, bytes]:
    return raw_request(port, "GET", path)


def raw_request(port: int, method: str, path: str) -> tuple[int, bytes]:
    """A request for a path exactly as written (no client-side normalisation of `..`)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        if method == "POST":
            connection.putheader("Content-Length", "0")
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_serves_nothing_but_its_own_pages(issue: Scratch) -> None:
    server = PreviewServer(issue.manifest(), port=0)  # no builds: only the HTTP side
    import threading
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.httpd.server_address[1]
        assert server.httpd.server_address[0] == "127.0.0.1"
        status, body = raw_get(port, "/")
        assert status == 200 and b"EventSource" in body
        status, body = raw_get(port, "/state")
        assert status == 200 and json.loads(body)["pages"] == []
        secret = issue.manifest().read_bytes()
        for path in ["/../../../../etc/passwd", "/page/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
                     "/page/..%2f..%2fsources%2ft%2fissue.yaml", "/sources/t/issue.yaml", "/issue.yaml",
                     "/thumb/" + "0" * 24 + ".png", "/page/" + "0" * 24 + ".png/../../issue.yaml",
                     "//etc/passwd", "/layouts/bulletin/layout.yaml", "/out/.preview/preview-print.pdf"]:
            status, body = raw_get(port, path)
            assert status == 404, path
            assert b"root:" not in body and secret not in body and b"bulletin" not in body, path
        # The edition switch takes the registry's editions and nothing else.
        assert raw_request(port, "POST", "/edition/print")[0] == 204 and server.session.edition == "print"
        for path in ["/edition/nope", "/edition/../../etc/passwd", "/edition/"]:
            assert raw_request(port, "POST", path)[0] == 404, path
        assert server.session.edition == "print"
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


def test_an_issue_folder_stands_for_its_manifest_and_a_missing_one_is_an_error(issue: Scratch) -> None:
    from kmyreport.errors import KmyError
    from kmyreport.preview import PreviewSession

    assert PreviewSession(issue.issue_dir()).manifest_path == issue.manifest().resolve()
    with pytest.raises(KmyError, match="manifest not found"):
        PreviewSession(issue.root / "sources" / "nope" / "issue.yaml")
