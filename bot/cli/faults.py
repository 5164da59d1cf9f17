"""How a CLI run ends: every failure is one line on stderr and an exit status, never a traceback.

Exit statuses (docs/cli.md lists them for users):

- 0: done; a question the corpus does not answer, or filters that select nothing, are answers.
- 1: ``check --strict`` found warnings; or a bug in talks-bot (``internal error``; with
  ``--set log_level=DEBUG`` the traceback is logged).
- 2: bad input or a fault outside talks-bot: a usage error, a bad config, an unusable corpus,
  a file that cannot be read or written, a network failure, memory exhausted.
- 128 + N: stopped by signal N, after one line (``interrupted``, ``stopped by SIGTERM``): 130
  for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP, and 141, silently, when the reader of our output
  went away (``talks-bot sources | head -1``). :func:`exit_with` then ends the process *by*
  that signal, as Unix tools do, so a shell loop around talks-bot stops on Ctrl-C too.

Why 128 + N and not 2 for signals: it is what shells report for a program a signal ended, so a
script can tell "interrupted" from "failed"; and only a process that dies by SIGINT makes bash
stop a ``while`` loop it runs (bash's "wait and cooperative exit").
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from typing import TextIO

from bot.errors import TalksBotError, os_reason
from bot.render.printable import one_line

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
#: Signals that end a run with one line (Ctrl-C arrives as KeyboardInterrupt).
STOP_SIGNALS = tuple(getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n))
SIGPIPE = getattr(signal, "SIGPIPE", 13)


class Stopped(BaseException):
    """A stop signal arrived (raised from its handler, so ``finally`` blocks and context
    managers still run: the console saves its history, temporary files are removed)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def say(text: str) -> None:
    """One line on stderr, prefixed ``talks-bot:``, with no control character."""
    with contextlib.suppress(OSError, ValueError):
        print(f"talks-bot: {one_line(text)}", file=sys.stderr, flush=True)


def guarded(run: Callable[[], int], stdout: TextIO) -> int:
    """``run()``'s exit status, or the status for whatever it raised, after one line."""
    with _stop_signals_raise():
        try:
            return run()
        except BrokenPipeError as exc:
            if _reader_gone(stdout):  # `talks-bot ... | head -1`: nobody to tell
                return 128 + SIGPIPE
            say(f"error: {describe_os_error(exc)}")
            return EXIT_USAGE
        except KeyboardInterrupt:
            say("interrupted")
            return 128 + signal.SIGINT
        except Stopped as exc:
            say(f"stopped by {signal.Signals(exc.signum).name}")
            return 128 + exc.signum
        except TalksBotError as exc:
            say(f"error: {exc}")
            return EXIT_USAGE
        except OSError as exc:
            say(f"error: {describe_os_error(exc)}")
            return EXIT_USAGE
        except MemoryError:
            say("error: out of memory (is a corpus file huge? `talks-bot check` names big files)")
            return EXIT_USAGE
        except Exception as exc:  # a bug: still one line, the traceback only when asked for
            log.debug("internal error", exc_info=True)
            say(
                f"internal error: {type(exc).__name__}: {exc} (a bug in talks-bot; "
                "--set log_level=DEBUG logs the traceback)"
            )
            return EXIT_FAILURE


def describe_os_error(exc: OSError) -> str:
    """An operating-system or network failure in words: what failed, and on what.

    Network libraries wrap the socket error (aiohttp's ``os_error``, or ``__cause__``); the
    innermost one says whether it was DNS, a refusal or a timeout.
    """
    cause = _innermost(exc)
    detail = f": {exc}" if str(exc) else ""
    if isinstance(cause, socket.gaierror):
        return f"network: name lookup (DNS) failed{detail}"
    if isinstance(cause, ConnectionRefusedError):
        return f"network: connection refused{detail}"
    if isinstance(cause, TimeoutError):
        return f"network: timed out{detail}"
    if isinstance(cause, BrokenPipeError):
        return "the other end closed the connection (broken pipe)"
    if exc.filename is not None:
        return f"{exc.filename}: {os_reason(exc, exc.filename)}"
    return str(exc) or type(exc).__name__


def _innermost(exc: BaseException) -> BaseException:
    seen = {id(exc)}
    while True:
        inner = getattr(exc, "os_error", None) or exc.__cause__
        if not isinstance(inner, OSError) or id(inner) in seen:
            return exc
        seen.add(id(inner))
        exc = inner


def exit_with(code: int) -> None:
    """Leave the process with ``code``; a ``128 + N`` status is left by signal N itself."""
    signum = code - 128
    if os.name != "posix" or signum not in (signal.SIGINT, SIGPIPE, *STOP_SIGNALS):
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    if signum == SIGPIPE:  # nothing more can be written; keep the interpreter from trying
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
    sys.exit(code)  # only reached if the signal is blocked


@contextlib.contextmanager
def _stop_signals_raise() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into :class:`Stopped` while a command runs (main thread only;
    the previous handlers are restored after, so an in-process caller keeps its own)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: object) -> None:
        raise Stopped(signum)

    previous = {sig: signal.signal(sig, stop) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _reader_gone(stdout: TextIO) -> bool:
    """Whether the pipe or socket ``stdout`` writes to has lost its reader (so a broken pipe
    was ours to write, not a network peer's)."""
    try:
        poller = select.poll()
        poller.register(stdout.fileno(), select.POLLOUT)
        events = poller.poll(0)
    except (AttributeError, ValueError, OSError):  # no poll (Windows), or not a real file
        return True
    return any(mask & (select.POLLERR | select.POLLHUP) for _fd, mask in events)
