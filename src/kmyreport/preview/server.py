"""The preview server: a page on 127.0.0.1 that shows the issue's pages and follows every save.

`PreviewSession` builds the issue (the same `compile_issue` as `compile`, into
`out/.preview/`) whenever the workspace changes (`watch.workspace_changes`, the loop
`--watch` uses, in the same process, so fonts stay loaded) and keeps the pages of
the last good build. A failed build leaves those pages in place and adds the error,
with its file and line, to the state. `PreviewServer` serves that state:

| path | what |
|---|---|
| `/` | the page (`page.html`) |
| `/state` | the state as JSON |
| `/events` | the state again after every change, as server-sent events |
| `/page/<key>.png`, `/thumb/<key>.png` | a page image, by its content key (`pages.page_keys`) |
| `POST /edition/<name>` | show another edition |

Nothing else is served: no path is ever mapped to a file, so `..` leads nowhere.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

from .. import editions
from ..build import compile_issue
from ..errors import KmyError
from ..i18n import _
from ..layouts import load_layout
from ..manifest import load_manifest
from ..watch import workspace_changes
from ..workspace import find_workspace
from .pages import PageImages, page_keys

PAGE_HTML = resources.files(__package__).joinpath("page.html").read_bytes()
_IMAGE = re.compile(r"^/(page|thumb)/([0-9a-f]{24})\.png$")
_EDITION = re.compile(r"^/edition/([\w-]+)$")


class PreviewSession:
    """One issue under preview: its builds, its pages and the listeners waiting for news."""

    def __init__(self, manifest_path: Path, *, workspace_root: Path | None = None, edition: str = "screen") -> None:
        self.manifest_path = Path(manifest_path).resolve()
        if self.manifest_path.is_dir() and (self.manifest_path / "issue.yaml").is_file():
            self.manifest_path = self.manifest_path / "issue.yaml"  # an issue folder stands for its manifest
        if not self.manifest_path.is_file():  # a broken manifest is shown on the page; a missing one stops here
            raise KmyError(_("manifest not found; give the path of an issue.yaml, e.g. sources/2024-07/issue.yaml"),
                           manifest_path)
        self.workspace = find_workspace(self.manifest_path, workspace_root)
        self.families = editions.families()
        if edition not in self.families:
            editions.get_edition(edition)  # the registry's own error, naming the editions there are
            raise KmyError(_("preview shows one edition of each kind: {editions}").format(
                editions=", ".join(self.families)))
        self.edition = edition
        self.images = PageImages()
        self.stop = threading.Event()
        self._due = threading.Event()
        self._changed = threading.Condition()
        self._version = 0
        self._state: dict[str, Any] = {
            "title": self.manifest_path.parent.name, "edition": edition, "building": True,
            "editions": [{"name": name, "description": family[0].description}
                         for name, family in self.families.items()],
            "pages": [], "changed": [], "built_at": None, "seconds": None, "error": None, "warnings": [],
            "version": 0,
        }

    # -- what the server reads --------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        with self._changed:
            return dict(self._state)

    def wait_for_news(self, seen: int, timeout: float) -> dict[str, Any] | None:
        """The state once its version is past `seen`; None on timeout or when stopping."""
        with self._changed:
            self._changed.wait_for(lambda: self._version != seen or self.stop.is_set(), timeout)
            if self._version == seen or self.stop.is_set():
                return None
            return dict(self._state)

    # -- what changes it ----------------------------------------------------------------------

    def request_build(self) -> None:
        self._due.set()

    def choose_edition(self, name: str) -> bool:
        if name not in self.families:
            return False
        self.edition = name
        self.request_build()
        return True

    def run(self) -> None:
        """Build whenever a build is due, until stopped (the builder thread)."""
        while not self.stop.is_set():
            if self._due.wait(0.2) and not self.stop.is_set():
                self._due.clear()
                self.build()

    def close(self) -> None:
        self.stop.set()
        self._due.set()
        with self._changed:
            self._changed.notify_all()

    def build(self) -> None:
        edition = self.edition
        self._publish(building=True)
        target = self.workspace.out_dir / ".preview" / f"preview-{edition}.pdf"
        try:
            result = compile_issue(self.manifest_path, edition=edition, workspace_root=self.workspace.root,
                                   output=target, validate=False)
            pdf = target.read_bytes()
            pages = page_keys(pdf)
            changed = self.images.update(pdf, pages)
            manifest = load_manifest(self.manifest_path)
            model = manifest.model
            self._publish(
                building=False, error=None, edition=edition, changed=changed, seconds=round(result.seconds, 2),
                built_at=dt.datetime.now().strftime("%H:%M:%S"), warnings=self._located(result.warnings),
                title=f"{model.publication.name} 第{model.issue.number}期 ({manifest.issue_id})",
                pages=[{"number": page.number, "key": page.key, "full": f"/page/{page.key}.png",
                        "thumb": f"/thumb/{page.key}.png", "width_pt": round(page.width_pt, 2),
                        "height_pt": round(page.height_pt, 2)} for page in pages])
        except KmyError as exc:
            self._publish(building=False, error=self._error(exc), changed=[])
        except Exception as exc:  # a fault of kmyreport's: show it, keep serving
            traceback.print_exc()
            self._publish(building=False, changed=[], error={
                "where": "", "message": _("internal error: {problem} (a bug in kmyreport)").format(
                    problem=f"{type(exc).__name__}: {exc}")})

    def _error(self, exc: KmyError) -> dict[str, str]:
        where = ""
        if exc.file is not None:
            where = self._relative(Path(exc.file))
            if exc.line is not None:
                where += f":{exc.line}" + (f":{exc.column}" if exc.column is not None else "")
        return {"where": where, "message": exc.message}

    def _relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.workspace.root).as_posix()
        except ValueError:
            return str(path)

    def _located(self, warnings: list[str]) -> list[str]:
        """The build's warnings; a CSS declaration WeasyPrint ignored gets the file:line it is written at."""
        try:
            layout = load_layout(load_manifest(self.manifest_path).model.layout, self.workspace)
        except KmyError:
            return warnings
        located = []
        for warning in warnings:
            where = layout.locate_css(warning)
            located.append(f"{self._relative(where[0])}:{where[1]}: {warning}" if where else warning)
        return located

    def _publish(self, **changes: Any) -> None:
        with self._changed:
            self._version += 1
            self._state.update(changes, version=self._version)
            self._changed.notify_all()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the terminal is the designer's
        pass

    def do_GET(self) -> None:
        session = self.server.session
        path = self.path.split("?", 1)[0]
        if path == "/":
            self._send(HTTPStatus.OK, "text/html; charset=utf-8", PAGE_HTML)
        elif path == "/state":
            self._send(HTTPStatus.OK, "application/json", json.dumps(session.state()).encode())
        elif path == "/events":
            self._events()
        elif match := _IMAGE.match(path):
            png = session.images.png(match.group(2), "full" if match.group(1) == "page" else "thumb")
            if png is None:
                self._not_found()
            else:
                self._send(HTTPStatus.OK, "image/png", png, cache="max-age=31536000, immutable")
        else:
            self._not_found()

    def do_POST(self) -> None:
        match = _EDITION.match(self.path.split("?", 1)[0])
        if match and self.server.session.choose_edition(match.group(1)):
            self._send(HTTPStatus.NO_CONTENT, "text/plain", b"")
        else:
            self._not_found()

    def _not_found(self) -> None:
        self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"not found\n")

    def _send(self, status: HTTPStatus, kind: str, body: bytes, cache: str = "no-store") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _events(self) -> None:
        session = self.server.session
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.close_connection = True
        state: dict[str, Any] | None = session.state()
        try:
            while not session.stop.is_set():
                if state is None:
                    self.wfile.write(b": still here\n\n")
                else:
                    self.wfile.write(b"data: " + json.dumps(state).encode() + b"\n\n")
                    seen = state["version"]
                self.wfile.flush()
                state = session.wait_for_news(seen, timeout=15)
        except (BrokenPipeError, ConnectionResetError):
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    session: PreviewSession


class PreviewServer:
    """The session, its builder and watcher threads, and the HTTP server on 127.0.0.1."""

    def __init__(self, manifest_path: Path, *, port: int = 8000, workspace_root: Path | None = None,
                 edition: str = "screen", step_ms: int = 50) -> None:
        self.session = PreviewSession(manifest_path, workspace_root=workspace_root, edition=edition)
        try:
            self.httpd = _Server(("127.0.0.1", port), _Handler)
        except OSError as exc:
            raise KmyError(_("cannot listen on 127.0.0.1:{port} ({problem}); choose another port with --port").format(
                port=port, problem=exc.strerror or exc)) from None
        self.httpd.session = self.session
        self._step_ms = step_ms
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def start(self) -> PreviewServer:
        session = self.session

        def watch() -> None:  # the first build is asked for once the watcher is up: no save is missed
            for _changes in workspace_changes(session.workspace, session.stop, step_ms=self._step_ms,
                                              started=session.request_build):
                session.request_build()

        for name, target in (("builder", session.run), ("watcher", watch), ("http", self.httpd.serve_forever)):
            thread = threading.Thread(target=target, name=f"kmyreport-preview-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def close(self) -> None:
        self.session.close()
        self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:  # the watcher notices the stop within half a second, on its own
            thread.join(timeout=0.1 if thread.name.endswith("watcher") else 30)

    def __enter__(self) -> PreviewServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.close()


def serve_preview(manifest_path: Path, *, port: int = 8000, open_browser: bool = False,
                  workspace_root: Path | None = None, edition: str = "screen",
                  on_ready: Any = None) -> None:
    """Serve the preview until Ctrl-C."""
    server = PreviewServer(manifest_path, port=port, workspace_root=workspace_root, edition=edition).start()
    try:
        if on_ready:
            on_ready(server.url)
        if open_browser:
            import webbrowser
            webbrowser.open(server.url)
        while True:
            time.sleep(3600)
    finally:
        server.close()
