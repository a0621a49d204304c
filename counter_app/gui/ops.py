"""The one way the GUI runs work off its thread: ``run_in_background``.

Anything that can take longer than a blink (an import, a report, a database call on
a shared server that may be slow) goes through here, so the window never freezes:

    run_in_background(self, lambda job: import_file(db, path, progress=job.progress),
                      on_done=self._imported, progress=self._show_progress)

* ``fn(job)`` runs on a worker thread of one private ``QThreadPool``. It must not touch
  widgets. It gets a :class:`Job`: ``job.progress(done, fraction)`` reports progress
  (its signature is the core's ``ProgressCallback``, so it can be passed straight to
  ``import_file`` or ``load_demo``) and raises :class:`Cancelled` once the person has
  cancelled, which unwinds the core's write transaction (nothing half-written);
  ``job.cancelled`` is a ``threading.Event`` for functions that poll instead.
* ``on_done(result)``, ``on_error(exc)`` and ``progress(done, fraction)`` are called on
  the GUI thread, through queued signals of a relay object that lives there. They are
  skipped if ``parent`` has been deleted meanwhile (a closed window).
* Without ``on_error``, errors go to :func:`counter_app.gui.errors.show_error`: a
  ``UserError`` as a message, anything else as a bug report; a cancellation is silent.
  A given ``on_error`` also receives :class:`Cancelled`.

Tests and the application's shutdown call :func:`wait_for_all` so no worker outlives them.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

T = TypeVar("T")
ProgressSink = Callable[[int, float | None], None]

# progress is forwarded at most this often; the last report always goes through on done
_PROGRESS_INTERVAL_S = 0.05


class Cancelled(Exception):
    """The person cancelled the work; raised inside the worker by ``Job.progress``."""


class Job:
    """What a background function receives: progress reporting and the cancel flag."""

    def __init__(self, relay: _Relay) -> None:
        self._relay = relay
        self.cancelled = threading.Event()
        self._last_report = 0.0

    def check(self) -> None:
        """Raise :class:`Cancelled` if the person asked to stop."""
        if self.cancelled.is_set():
            raise Cancelled

    def progress(self, done: int, fraction: float | None = None) -> None:
        """Report progress (thread-safe, throttled); raises ``Cancelled`` when cancelled."""
        self.check()
        now = time.monotonic()
        if now - self._last_report >= _PROGRESS_INTERVAL_S:
            self._last_report = now
            _emit(self._relay.progressed, done, fraction)


def _emit(signal: Any, *args: Any) -> None:
    # RuntimeError: the relay is gone (the application is shutting down)
    with contextlib.suppress(RuntimeError):
        signal.emit(*args)


class _Relay(QObject):
    """Lives on the GUI thread; the worker emits, Qt queues, the slots deliver here.

    Signals:
        progressed(int, object): done count and fraction (or None).
        finished_ok(object): the function's result.
        failed(object): the exception it raised.
    """

    progressed = Signal(int, object)
    finished_ok = Signal(object)
    failed = Signal(object)

    def __init__(self, task: Task) -> None:
        super().__init__()
        self._task = task
        # slots of this object (it lives on the GUI thread): the connections are queued
        self.progressed.connect(self._on_progress)
        self.finished_ok.connect(self._on_done)
        self.failed.connect(self._on_failed)

    @Slot(int, object)
    def _on_progress(self, done: int, fraction: object) -> None:
        self._task._deliver_progress(done, fraction)  # type: ignore[arg-type]

    @Slot(object)
    def _on_done(self, result: object) -> None:
        self._task._deliver_done(result)

    @Slot(object)
    def _on_failed(self, exc: object) -> None:
        self._task._deliver_error(exc)  # type: ignore[arg-type]


class Task:
    """A handle on one background run: ``cancel()``, ``running``, ``wait()``."""

    def __init__(
        self,
        parent: QObject | None,
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
        progress: ProgressSink | None,
        on_finally: Callable[[], None] | None = None,
    ) -> None:
        self._parent = parent
        self._on_done = on_done
        self._on_error = on_error
        self._progress = progress
        self._on_finally = on_finally
        self._relay = _Relay(self)
        self.job = Job(self._relay)
        self._finished = threading.Event()
        self.running = True

    def cancel(self) -> None:
        self.job.cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self.job.cancelled.is_set()

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until the worker has returned (not until delivery); for tests."""
        return self._finished.wait(timeout_s)

    def _run(self, fn: Callable[[Job], Any]) -> None:  # on the worker thread
        try:
            result = fn(self.job)
        except BaseException as exc:  # delivered to on_error on the GUI thread
            _emit(self._relay.failed, exc)
        else:
            _emit(self._relay.finished_ok, result)
        finally:
            self._finished.set()

    def _alive(self) -> bool:
        return self._parent is None or shiboken6.isValid(self._parent)

    def _deliver_progress(self, done: int, fraction: float | None) -> None:
        if self.running and self._progress is not None and self._alive():
            self._progress(done, fraction)

    def _end(self) -> None:
        self.running = False
        _live.discard(self)
        if self._on_finally is not None and self._alive():
            self._on_finally()

    def _deliver_done(self, result: object) -> None:
        self._end()
        if self._on_done is not None and self._alive():
            self._on_done(result)

    def _deliver_error(self, exc: BaseException) -> None:
        self._end()
        if not self._alive():
            return
        if self._on_error is not None:
            self._on_error(exc)
            return
        if isinstance(exc, Cancelled):
            return  # the person asked for it: nothing to tell them
        from counter_app.gui import errors

        parent = self._parent if isinstance(self._parent, QWidget) else None
        errors.show_error(parent, exc)


_pool: QThreadPool | None = None
_live: set[Task] = set()


def pool() -> QThreadPool:
    """The GUI's worker pool (a private one: waiting for it never waits for Qt's own)."""
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        # a few workers: database calls mostly wait on I/O, and SQLite writers queue anyway
        _pool.setMaxThreadCount(4)
        _pool.setExpiryTimeout(5000)
    return _pool


def run_in_background(
    parent: QObject | None,
    fn: Callable[[Job], T],
    on_done: Callable[[T], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    *,
    progress: ProgressSink | None = None,
    on_finally: Callable[[], None] | None = None,
) -> Task:
    """Run ``fn(job)`` on a worker thread; deliver its outcome on the GUI thread.

    ``on_finally`` runs (on the GUI thread) before ``on_done``/``on_error``, whatever
    the outcome, including a cancellation: the place to re-enable buttons.
    """
    app = QCoreApplication.instance()
    # the relay must live on the GUI thread, or nothing would ever be delivered
    assert app is not None and QThread.currentThread() is app.thread(), "call from the GUI thread"
    task = Task(parent, on_done, on_error, progress, on_finally)
    _live.add(task)
    pool().start(lambda: task._run(fn))
    return task


def running_tasks() -> list[Task]:
    return list(_live)


def wait_for_all(timeout_ms: int = 30_000, *, cancel: bool = False) -> bool:
    """Wait for every worker to return (optionally cancelling them first).

    Returns False if some worker was still running at the timeout.
    """
    if cancel:
        for task in list(_live):
            task.cancel()
    if _pool is None:
        return True
    return bool(_pool.waitForDone(timeout_ms))


def run_with_progress(
    parent: QWidget,
    label: str,
    fn: Callable[[Job], T],
    on_done: Callable[[T], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    *,
    cancellable: bool = True,
) -> Task:
    """``run_in_background`` behind a window-modal progress dialog with a Cancel button.

    The dialog appears only if the work lasts longer than half a second, so quick
    work does not flash a window.
    """
    # the default constructor's Cancel button is translated by Qt's own catalogue
    dialog = QProgressDialog(parent)
    dialog.setLabelText(label)
    dialog.setRange(0, 0)
    dialog.setWindowTitle(parent.window().windowTitle())
    dialog.setMinimumDuration(500)
    dialog.setAutoReset(False)
    dialog.setAutoClose(False)
    if not cancellable:
        dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)

    def show_progress(done: int, fraction: float | None) -> None:
        if fraction is None:
            dialog.setRange(0, 0)
        else:
            dialog.setRange(0, 1000)
            dialog.setValue(int(fraction * 1000))
        dialog.setLabelText(f"{label}\n{done:,}")

    def close_dialog() -> None:
        dialog.reset()
        dialog.close()
        dialog.deleteLater()

    task = run_in_background(
        parent, fn, on_done, on_error, progress=show_progress, on_finally=close_dialog
    )
    dialog.canceled.connect(task.cancel)
    return task
