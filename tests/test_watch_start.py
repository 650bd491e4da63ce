"""`compile --watch` sees a save made while its first build runs (#14): the watcher is up before
the first build starts, so the save is built right after it. Started after the first build, it
missed such a save until the next one."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

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


class _CleanupInterrupted:
    """A finalizer that Ctrl-C lands in: Python drops the KeyboardInterrupt raised inside it."""

    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        total = 0
        for number in range(100_000):  # the handler runs in here
            total += number


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_ctrl_c_lost_in_a_finalizer_still_ends_the_watch(small_issue: Scratch) -> None:
    """A Ctrl-C during a build that lands in a finalizer is lost to Python; the watch notes it and stops
    after the build instead of watching on (the command then says 'interrupted' and exits)."""
    builds, stop = [], threading.Event()

    def on_build(result) -> None:
        builds.append(result)
        _CleanupInterrupted()  # made and finalized at once

    safety = threading.Timer(30, stop.set)  # without the fix the watch would go on: end it
    safety.start()
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in the command (a test
    try:                                                                 # runner may ignore Ctrl-C)
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            watch_issue(small_issue.manifest(), on_build=on_build, on_error=print, stop=stop)
        assert time.monotonic() - started < 25 and len(builds) == 1
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back
    finally:
        signal.signal(signal.SIGINT, previous)
        safety.cancel()
