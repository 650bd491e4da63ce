"""`compile --watch` sees a save made while its first build runs (#14): the watcher is up before
the first build starts, so the save is built right after it. Started after the first build, it
missed such a save until the next one."""

from __future__ import annotations

import threading
import time

from kmyreport.watch import watch_issue

from .conftest import ARTICLE, Scratch


def test_a_save_during_the_first_build_is_built(small_issue: Scratch) -> None:
    builds, errors, stop = [], [], threading.Event()

    def on_build(result) -> None:
        builds.append(result)
        if len(builds) == 1:  # saved while the first build finishes
            small_issue.write("sources/t/articles/a.md", ARTICLE.replace("第二段正文。", "第二段正文，改过了。"))

    worker = threading.Thread(target=watch_issue, args=(small_issue.manifest(),),
                              kwargs={"on_build": on_build, "on_error": errors.append, "stop": stop}, daemon=True)
    worker.start()
    try:
        deadline = time.monotonic() + 60
        while len(builds) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(builds) == 2, "the save made during the first build is built"
        time.sleep(0.5)
        assert len(builds) == 2 and errors == []
    finally:
        stop.set()
        worker.join(timeout=10)
    assert not worker.is_alive()
