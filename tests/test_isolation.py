"""Compiling opens nothing outside the workspace, the Python environment and the system
libraries, and connects to nothing: a real build in a new process under an audit hook
(`sys.addaudithook`) that records every `open`, every `socket.connect` and every program
started. A second build of the same issue runs at the same time in this process, and its
disk fills up as it writes: two builds of one issue at once are safe, and a full disk during
the write leaves the last good PDF as it was.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

import kmyreport

from .conftest import Scratch
from .test_bad_inputs import SENTINEL, fail_writes, run_cli

AUDITED_BUILD = r"""
import json, os, sys
events = []
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        flags = args[2] if isinstance(args[2], int) else 0
        writes = "w" in (args[1] or "") or "x" in (args[1] or "") or flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
        events.append(["open", os.path.abspath(os.fsdecode(args[0])), bool(writes), args[1], flags])
    elif event in ("socket.connect", "socket.getaddrinfo", "socket.sendto", "urllib.Request"):
        events.append([event, repr(args)[:200]])
    elif event in ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.fork"):
        events.append([event, repr(args)[:200]])
sys.addaudithook(hook)
from kmyreport.cli import app
try:
    app(sys.argv[2:], prog_name="kmyreport")
except SystemExit as stop:
    code = stop.code
seen = list(events)
with open(sys.argv[1], "w") as out:
    json.dump({"code": code, "events": seen}, out)
"""


def allowed_roots(workspace: Path) -> list[str]:
    paths = {workspace, Path(sys.prefix), Path(sys.base_prefix), Path(kmyreport.__file__).parent,
             *(Path(p) for p in sysconfig.get_paths().values())}
    roots = {os.path.realpath(p) for p in paths} | {str(p) for p in paths}
    # System libraries and their data (fontconfig, zoneinfo, the ICU and locale tables) and the
    # process's own descriptors; never $HOME, another workspace or the network.
    return sorted(roots) + ["/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/share", "/etc", "/proc/self",
                            "/dev/null", "/dev/urandom"]


def inside(path: str, roots: list[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


def outside_opens(events: list, roots: list[str]) -> list[str]:
    """Files opened outside `roots`, except the temporary files the build makes for itself (WeasyPrint
    hands fontconfig copies of the workspace's fonts in a temporary folder) and reads them back."""
    temp = os.path.realpath(tempfile.gettempdir())
    made: set[str] = set()
    outside = set()
    for event in events:
        if event[0] != "open":
            continue
        _, path, writes = event[:3]
        if inside(path, roots):
            continue
        if inside(path, [temp]) and (writes or path in made):
            made.add(path)
            continue
        outside.add(path)
    return sorted(outside)


# ctypes.util.find_library, which WeasyPrint's cffi bindings call to find Pango and HarfBuzz,
# asks these programs where the system libraries are.
LIBRARY_FINDERS = {"ldconfig", "gcc", "cc", "ld", "objdump"}


def test_compiling_opens_nothing_outside_and_connects_to_nothing(small_issue: Scratch, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """One build in a new process, audited; at the same time a second build of the same issue in
    this process, whose disk fills up as it writes its PDF (-o copy.pdf, over a last good copy)."""
    ws = small_issue
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    log = tmp_path / "audit.json"
    build = subprocess.Popen([sys.executable, "-c", AUDITED_BUILD, str(log), "compile", "sources/t/issue.yaml"],
                             cwd=ws.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    copy = ws.output().with_name("copy.pdf")
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(SENTINEL)
    fail_writes(monkeypatch, "copy.pdf", OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    full = run_cli(ws, "compile", "sources/t/issue.yaml", "-o", "out/t/copy.pdf")
    assert full.returncode == 1, full.stderr
    assert full.stderr.startswith("error: out/t/copy.pdf: cannot write this file: the disk is full"), full.stderr
    assert "free some space" in full.stderr and "Traceback" not in full.stderr
    assert copy.read_bytes() == SENTINEL, "the last good PDF must stay as it was"
    _, stderr = build.communicate(timeout=300)
    assert build.returncode == 0, stderr
    report = json.loads(log.read_text(encoding="utf-8"))
    assert report["code"] in (0, None), stderr
    events = report["events"]
    assert any(event[0] == "open" and event[1].startswith(str(ws.root)) for event in events)
    assert outside_opens(events, allowed_roots(ws.root)) == []
    network = [event for event in events if event[0].startswith(("socket.", "urllib."))]
    assert network == []
    programs = {Path(event[1].split("'")[1]).name for event in events if event[0] == "subprocess.Popen"}
    assert programs <= LIBRARY_FINDERS, programs
    assert not [event for event in events if event[0] in ("os.system", "os.exec", "os.posix_spawn")]
    # Two builds of one issue at once: one whole PDF, no temporary file left beside it.
    pdf = ws.output().read_bytes()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert sorted(p.name for p in ws.output().parent.iterdir()) == ["copy.pdf", ws.output().name]
