"""`kmyreport batch`: many issues on a Dask cluster (here a LocalCluster of two worker processes)."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest

from kmyreport.batch import BUILT, FAILED, UP_TO_DATE, run_batch
from kmyreport.cache import CODE_SIGNATURE_ENV

from .conftest import ARTICLE, MANIFEST, Scratch, jpeg_bytes, squash

ISSUES = ("a", "b", "c")


def test_a_batch_on_a_local_cluster_builds_reports_and_resumes(workspace: Scratch,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    distributed = pytest.importorskip("distributed")
    # kmyreport's code may be edited while this runs (a shared checkout): pinned here and in the workers
    monkeypatch.setenv(CODE_SIGNATURE_ENV, "test-batch")
    for number, issue_id in enumerate(ISSUES, start=1):
        workspace.write(f"sources/{issue_id}/issue.yaml", MANIFEST.replace("number: 3", f"number: {number}"))
        workspace.write(f"sources/{issue_id}/articles/a.md", ARTICLE.replace("第二段正文", f"第{number}期的正文"))
        workspace.write(f"sources/{issue_id}/photos/p.jpg", jpeg_bytes(600, 400))
    workspace.write("sources/broken/issue.yaml", MANIFEST.replace("articles/a.md", "articles/missing.md"))
    manifests = sorted(workspace.root.glob("sources/*/issue.yaml"))
    seen = []
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster:
        outcomes = run_batch(manifests, edition="screen", scheduler=cluster.scheduler_address, on_done=seen.append)
    assert [o.issue for o in outcomes] == ["a", "b", "broken", "c"] and len(seen) == 4
    by_issue = {o.issue: o for o in outcomes}
    broken = by_issue.pop("broken")
    assert broken.status == FAILED and "articles/missing.md" in broken.error and "file not found" in broken.error
    assert "\n" not in broken.error
    for number, issue_id in enumerate(ISSUES, start=1):
        outcome = by_issue[issue_id]
        assert outcome.status == BUILT and outcome.pages, outcome
        assert Path(outcome.output) == workspace.root / "out" / issue_id / f"{issue_id}-screen.pdf"
        with pdfplumber.open(outcome.output) as pdf:
            assert len(pdf.pages) == outcome.pages
            assert f"第{number}期的正文" in squash("".join(page.extract_text() or "" for page in pdf.pages))

    again = workspace.cli("batch", "sources/*/issue.yaml", "--edition", "screen")  # in this process, one by one
    assert again.returncode == 1, again.stdout + again.stderr
    rows = {line.split()[0]: line for line in again.stdout.splitlines() if line.split()[:1] in (["a"], ["b"],
                                                                                                ["c"], ["broken"])}
    assert all(UP_TO_DATE in rows[issue_id] for issue_id in ISSUES), again.stdout
    assert FAILED in rows["broken"] and "0 built, 3 up to date, 1 failed of 4 issues" in again.stdout


def test_local_worker_processes_report_each_failure_in_order(workspace: Scratch) -> None:
    """--jobs 2: two spawned processes; a bad manifest is that issue's FAILED line, in the order given."""
    workspace.write("sources/x/issue.yaml", "publication: [\n")
    workspace.write("sources/y/issue.yaml", MANIFEST.replace("number: 3", "nubmer: 3"))
    outcomes = run_batch([workspace.manifest("y"), workspace.manifest("x")], edition="screen", jobs=2)
    assert [(o.issue, o.status) for o in outcomes] == [("y", FAILED), ("x", FAILED)]
    assert "did you mean 'number'" in outcomes[0].error and "YAML syntax error" in outcomes[1].error
