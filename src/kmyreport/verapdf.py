"""veraPDF, the PDF/A and PDF/UA validator, through the harness in ``tools/verapdf``.

The harness is a small Java program (built by ``tools/verapdf/build.sh`` from
Maven Central) that prints one JSON object per (file, flavour) checked.  This
module finds its jar, runs it with ``java -jar`` and returns the results as
:class:`VeraResult` objects.

Flavours are veraPDF ids: ``1a 1b 2a 2b 2u 3a 3b 3u 4 4e 4f ua1 ua2``, or
``auto`` for whatever the file declares (veraPDF's default, 1b, if nothing).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
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
    """Check each file against its own flavours, all in one run of veraPDF (one JVM start).

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
    command = [java, "-jar", str(jar)]
    for path, flavours in checks:
        command += ["--flavour", ",".join(flavours), str(path)]
    # Java decodes file-name arguments with the locale's charset: under C/POSIX a
    # Chinese file name would turn into '?'.  The harness always prints UTF-8.
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    try:
        proc = subprocess.run(
            command, capture_output=True, text=True, encoding="utf-8", timeout=timeout, env=env
        )
    except subprocess.TimeoutExpired:
        raise VeraPDFError(f"veraPDF did not finish within {timeout:.0f} s") from None
    if proc.returncode not in (0, 1):
        raise VeraPDFError(
            f"veraPDF failed (exit {proc.returncode}): {_last_line(proc.stderr)}; check that the files are "
            "PDFs, or rebuild the harness with 'bash tools/verapdf/build.sh'", jar)
    results = []
    for line in proc.stdout.splitlines():
        if not line.strip():
            continue
        try:
            data = json.loads(line)
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
        raise VeraPDFError(f"veraPDF printed no result ({_last_line(proc.stderr)}); rebuild the "
                           "harness with 'bash tools/verapdf/build.sh'", jar)
    return results


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
