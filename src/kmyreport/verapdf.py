"""veraPDF, the PDF/A and PDF/UA validator, through the harness in ``tools/verapdf``.

The harness is a small Java program (built by ``tools/verapdf/build.sh`` from
Maven Central) that prints one JSON object per (file, flavour) checked.  This
module finds its jar, keeps one harness running per process (``--serve``: a JVM
starts and warms up once, however many files are checked after, which is what a
batch of archive copies needs) and returns the results as :class:`VeraResult`
objects.

Flavours are veraPDF ids: ``1a 1b 2a 2b 2u 3a 3b 3u 4 4e 4f ua1 ua2``, or
``auto`` for whatever the file declares (veraPDF's default, 1b, if nothing).
"""

from __future__ import annotations

import atexit
import collections
import json
import os
import queue
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import KmyError

#: Environment variable that points at a prebuilt harness jar.
JAR_ENV = "KMYREPORT_VERAPDF_JAR"
#: Where ``tools/verapdf/build.sh`` leaves the jar, relative to the repo root.
JAR_IN_REPO = Path("tools/verapdf/target/kmyreport-verapdf.jar")


class VeraPDFError(KmyError):
    """veraPDF could not run (no Java, no harness jar, a failing harness) or could not read a file."""


@dataclass
class VeraResult:
    """veraPDF's verdict on one file against one flavour.

    ``failures`` holds one dict per failed rule, with the keys ``clause``,
    ``test``, ``description`` and ``count`` (how many checks of it failed).
    The harness lists at most 50 rules.
    """

    file: Path
    flavour: str
    compliant: bool
    failures: list[dict] = field(default_factory=list)


def find_verapdf_jar() -> Path | None:
    """Return the harness jar: ``$KMYREPORT_VERAPDF_JAR``, else the one built in the repo, else None."""
    from_env = os.environ.get(JAR_ENV)
    if from_env:
        return Path(from_env) if Path(from_env).is_file() else None
    in_repo = Path(__file__).resolve().parents[2] / JAR_IN_REPO
    return in_repo if in_repo.is_file() else None


def run_verapdf(paths: list[Path], flavours: list[str], timeout: float = 600) -> list[VeraResult]:
    """Check every file in ``paths`` against every flavour in ``flavours``.

    Returns one result per (file, flavour), in that order; whether a file is
    compliant is read from each result, not raised.  Raises `VeraPDFError`
    when java or the jar is missing, when the harness fails, or when its output
    cannot be understood.
    """
    return run_verapdf_each([(path, flavours) for path in paths], timeout)


def run_verapdf_each(checks: list[tuple[Path, list[str]]], timeout: float = 600) -> list[VeraResult]:
    """Check each file against its own flavours, in one request to this process's veraPDF.

    veraPDF runs as one long-lived JVM per process (the harness's `--serve` mode): its start and
    warm-up (a few seconds) are paid once, however many files and issues are checked after.
    Returns one result per (file, flavour), in the order given.
    """
    if not checks or not all(flavours for _, flavours in checks):
        raise ValueError("run_verapdf needs at least one path, and flavours for each")
    java = shutil.which("java")
    if java is None:
        raise VeraPDFError("veraPDF cannot run: 'java' is not on PATH; install Java 17 or later "
                           "(or verify with --no-verapdf for own checks only)")
    jar = find_verapdf_jar()
    if jar is None:
        raise VeraPDFError(f"veraPDF is not installed: build it with 'bash tools/verapdf/build.sh' or "
                           f"set {JAR_ENV} to its jar (or verify with --no-verapdf for own checks only)")
    by_name = {str(path): Path(path) for path, _ in checks}
    request: list[str] = []
    for path, flavours in checks:
        request += ["--flavour", ",".join(flavours), str(path)]
    if any("\t" in part or "\n" in part for part in request):
        raise VeraPDFError("a file name holds a tab or a line break; rename the file", request[-1])
    lines = _harness(java, jar).ask("\t".join(request), timeout)
    results = []
    for line in lines:
        try:
            data = json.loads(line)
            if "error" in data:
                raise VeraPDFError(f"veraPDF could not read the file ({data['error']}); check that it is a "
                                   "PDF", data.get("file") or None)
            results.append(
                VeraResult(
                    file=by_name.get(data["file"], Path(data["file"])),
                    flavour=data["flavour"],
                    compliant=bool(data["compliant"]),
                    failures=list(data["failures"]),
                )
            )
        except (ValueError, KeyError, TypeError):
            raise VeraPDFError(f"veraPDF printed something other than results ({line[:200]!r}); "
                               "rebuild the harness with 'bash tools/verapdf/build.sh'", jar) from None
    if not results:
        raise VeraPDFError("veraPDF printed no result; rebuild the harness with 'bash tools/verapdf/build.sh'",
                           jar)
    return results


class _Harness:
    """One running `--serve` harness: requests go in on stdin, results come back on stdout."""

    def __init__(self, java: str, jar: Path) -> None:
        self.jar = jar
        # Java decodes its input with the locale's charset unless told: the harness reads UTF-8
        # itself; the locale is set anyway for anything the libraries print.
        env = {**os.environ, "LC_ALL": "C.UTF-8"}
        self.process = subprocess.Popen([java, "-jar", str(jar), "--serve"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.errors: collections.deque[str] = collections.deque(maxlen=20)
        self._readers = [threading.Thread(target=self._read, args=(self.process.stdout, self.lines.put), daemon=True),
                         threading.Thread(target=self._read, args=(self.process.stderr, self._error), daemon=True)]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(stream, sink) -> None:
        for raw in stream:
            sink(raw.decode("utf-8", "replace").rstrip("\n"))
        sink(None)

    def _error(self, line: str | None) -> None:
        if line is not None and line.strip():
            self.errors.append(line.strip())

    def alive(self) -> bool:
        return self.process.poll() is None

    def ask(self, request: str, timeout: float) -> list[str]:
        """Send one request; the result lines, up to (not including) the `done` line."""
        try:
            self.process.stdin.write(request.encode("utf-8") + b"\n")
            self.process.stdin.flush()
        except OSError:
            raise self._failed() from None
        deadline = time.monotonic() + timeout
        lines = []
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.close()
                raise VeraPDFError(f"veraPDF did not finish within {timeout:.0f} s") from None
            if line is None:
                raise self._failed()
            if line.startswith('{"done"'):
                return lines
            if line.strip():
                lines.append(line)

    def _failed(self) -> VeraPDFError:
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._readers[1].join(timeout=5)
        last = self.errors[-1][:300] if self.errors else "no message"
        return VeraPDFError(f"veraPDF failed (exit {self.process.returncode}): {last}; check that the files are "
                            "PDFs, or rebuild the harness with 'bash tools/verapdf/build.sh'", self.jar)

    def close(self) -> None:
        if self.alive():
            try:
                self.process.stdin.close()
                self.process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()


_HARNESSES: dict[tuple[str, Path], _Harness] = {}
_HARNESS_LOCK = threading.Lock()


def _harness(java: str, jar: Path) -> _Harness:
    """This process's harness for `jar`, started on first use (and again if it has stopped)."""
    with _HARNESS_LOCK:
        key = (java, jar.resolve())
        harness = _HARNESSES.get(key)
        if harness is None or not harness.alive():
            harness = _HARNESSES[key] = _Harness(java, jar)
        return harness


@atexit.register
def _stop_harnesses() -> None:
    for harness in _HARNESSES.values():
        harness.close()


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no message"


def flavours_for(claims: list[str]) -> list[str]:
    """veraPDF flavours for conformance claims: `["PDF/A-3A", "PDF/UA-1"]` → `["3a", "ua1"]`."""
    flavours = []
    for claim in claims:
        if claim.upper().startswith("PDF/A-"):
            flavours.append(claim[len("PDF/A-"):].lower())
        elif claim.upper() == "PDF/UA-1":
            flavours.append("ua1")
    return flavours


def verapdf_version() -> str | None:
    """The veraPDF library version the harness is built against (from its pom.xml), if known."""
    pom = Path(__file__).resolve().parents[2] / "tools" / "verapdf" / "pom.xml"
    if not pom.is_file():
        return None
    match = re.search(r"<verapdf\.version>([^<]+)</verapdf\.version>", pom.read_text(encoding="utf-8"))
    return match[1] if match else None
