"""Load on the Discord front end: a burst of questions, then a soak, against the fake Discord.

The bot runs as users run it (``python -m bot discord``, a separate process) against the local
fake Discord of ``tests/fakediscord`` (127.0.0.1), which plays the users. Two phases:

- **burst**: ``--burst`` users (default 200) send ``/ask`` at the same moment. For each
  interaction: *time to first response* (INTERACTION_CREATE sent → the bot's deferral
  received; Discord allows 3 s) and *time to answer* (→ the follow-up with the answer).
- **soak**: ``--rate`` questions per second (default 50) for ``--soak-seconds`` (default 300),
  from a pool of users large enough that nobody hits the per-user cooldown; the same eight
  questions in turn, or with ``--fresh-words`` each with a word never seen before. The bot's
  resident memory (``VmRSS`` from ``/proc``) is sampled every ``--sample-seconds``; the figures
  are the first and last samples, the peak, and the slope of a least-squares line through the
  samples after the first minute (MiB per minute: about 0 when memory is flat). Latencies are
  reported for the soak too, and any question left unanswered.

Run::

    python -m bench.discord_load                          # 200-question burst, 5-minute soak
    python -m bench.discord_load --soak-seconds 30        # a quick look
    python -m bench.discord_load --corpus tests/fixtures/news --json

Timing figures depend on the machine; they are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the fake Discord lives with the tests

from fakediscord import FakeDiscord, Interaction
from fakediscord.botprocess import BotProcess

QUESTIONS = (
    "Where did Trump and Kim hold their first summit?",
    "What did the letter from Kim Jong Un ask for?",
    "Who is Sarah Sanders?",
    "why did pompeo cancel his trip",
    "What does North Korea want before denuclearisation?",
    "Is a second summit planned?",
    "what did the white house say about the letter",
    "How long had the talks been deadlocked?",
)


@dataclass
class Latencies:
    """Seconds from each question to the bot's first response and to its answer."""

    first: list[float] = field(default_factory=list)
    answer: list[float] = field(default_factory=list)
    failed: int = 0

    def summary(self) -> dict[str, Any]:
        return {
            "answered": len(self.answer),
            "failed": self.failed,
            "first_response_ms": _percentiles(self.first),
            "answer_ms": _percentiles(self.answer),
        }


def _percentiles(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {
        "p50": round(1000 * at(0.5), 1),
        "p95": round(1000 * at(0.95), 1),
        "max": round(1000 * ordered[-1], 1),
    }


def _collect(fake: FakeDiscord, pending: dict[str, Interaction], into: Latencies) -> None:
    """Move answered interactions out of ``pending`` into the figures."""
    by_token: dict[str, list[Any]] = {}
    for request in fake.requests:
        for token in (part for part in request.path.split("/") if part.startswith("itok-")):
            by_token.setdefault(token, []).append(request)
    for iid, interaction in list(pending.items()):
        requests = by_token.get(interaction.token, [])
        if any(r.status >= 400 for r in requests):
            into.failed += 1
            del pending[iid]
            continue
        callbacks = [r for r in requests if r.path.endswith("/callback")]
        followups = [r for r in requests if r.method == "POST" and r.path.startswith("/webhooks/")]
        if callbacks and followups:
            into.first.append(callbacks[0].time - interaction.created)
            into.answer.append(followups[0].time - interaction.created)
            del pending[iid]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def slope_per_minute(samples: Sequence[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MiB), in MiB per minute."""
    if len(samples) < 3:
        return 0.0
    xs, ys = [s[0] for s in samples], [s[1] for s in samples]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return 60 * sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var if var else 0.0


async def burst(fake: FakeDiscord, size: int) -> Latencies:
    users = [fake.add_user(f"burst{i}") for i in range(size)]
    questions = itertools.cycle(QUESTIONS)
    sent = await asyncio.gather(
        *(fake.send_slash_command("ask", {"question": next(questions)}, user=u) for u in users)
    )
    pending = {i.id: i for i in sent}
    figures = Latencies()
    deadline = time.monotonic() + 120
    while pending and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        _collect(fake, pending, figures)
    figures.failed += len(pending)
    return figures


def fresh_words(questions: Sequence[str]) -> Iterator[str]:
    """The questions, each with a word never seen before (a long tail of typos and names)."""
    for n, question in enumerate(itertools.cycle(questions)):
        yield f"{question} zq{n:x}"


async def soak(
    fake: FakeDiscord,
    pid: int,
    rate: float,
    seconds: float,
    sample_every: float,
    *,
    fresh: bool = False,
) -> tuple[Latencies, list[tuple[float, float]]]:
    users = itertools.cycle([fake.add_user(f"soak{i}") for i in range(max(50, int(rate * 12)))])
    questions = fresh_words(QUESTIONS) if fresh else itertools.cycle(QUESTIONS)
    figures, pending = Latencies(), {}
    samples: list[tuple[float, float]] = []
    start = time.monotonic()
    next_sample = start
    for n in itertools.count():
        due = start + n / rate
        if due - start >= seconds:
            break
        now = time.monotonic()
        if due > now:
            await asyncio.sleep(due - now)
        interaction = await fake.send_slash_command(
            "ask", {"question": next(questions)}, user=next(users)
        )
        pending[interaction.id] = interaction
        if time.monotonic() >= next_sample:
            samples.append((time.monotonic() - start, rss_mib(pid)))
            next_sample += sample_every
            _collect(fake, pending, figures)
            fake.prune(older_than=30)
    deadline = time.monotonic() + 30
    while pending and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        _collect(fake, pending, figures)
    figures.failed += len(pending)
    samples.append((time.monotonic() - start, rss_mib(pid)))
    return figures, samples


async def run(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(args.workdir)
    overrides = [f"cache_dir={work / 'cache'}", "log_level=WARNING"]
    if args.corpus:
        overrides.append(f"corpus.path={Path(args.corpus).resolve()}")
    async with FakeDiscord() as fake:
        bot = BotProcess(fake, work, overrides=overrides, sync=True)
        await bot.start_synced()
        assert bot.process is not None
        try:
            await asyncio.sleep(1)  # on_ready after the guild wait
            results: dict[str, Any] = {"rss_ready_mib": round(rss_mib(bot.process.pid), 1)}
            results["burst"] = {
                "questions": args.burst,
                **(await burst(fake, args.burst)).summary(),
            }
            fake.prune(older_than=0)
            if args.soak_seconds > 0:
                figures, samples = await soak(
                    fake,
                    bot.process.pid,
                    args.rate,
                    args.soak_seconds,
                    args.sample_seconds,
                    fresh=args.fresh_words,
                )
                settled = [s for s in samples if s[0] >= min(60.0, args.soak_seconds / 3)]
                results["soak"] = {
                    "rate_per_s": args.rate,
                    "seconds": args.soak_seconds,
                    "fresh_words": args.fresh_words,
                    **figures.summary(),
                    "rss_mib": {
                        "first": round(samples[0][1], 1),
                        "last": round(samples[-1][1], 1),
                        "max": round(max(s[1] for s in samples), 1),
                        "slope_after_first_minute_per_min": round(slope_per_minute(settled), 3),
                    },
                    "rss_samples": [(round(t), round(m, 1)) for t, m in samples],
                }
            results["errors_seen_by_fake"] = list(fake.errors)
        finally:
            status = await bot.stop(timeout=30)
        results["exit_status"] = status
        results["tracebacks"] = bot.output.count("Traceback")
    return results


def print_report(results: dict[str, Any]) -> None:
    b = results["burst"]
    print(f"bot ready: RSS {results['rss_ready_mib']} MiB")
    print(
        f"burst of {b['questions']}: answered {b['answered']}, failed {b['failed']}; "
        f"first response p50 {b['first_response_ms'].get('p50')} ms, "
        f"p95 {b['first_response_ms'].get('p95')} ms, max {b['first_response_ms'].get('max')} ms; "
        f"answer p50 {b['answer_ms'].get('p50')} ms, p95 {b['answer_ms'].get('p95')} ms, "
        f"max {b['answer_ms'].get('max')} ms"
    )
    if "soak" in results:
        s = results["soak"]
        m = s["rss_mib"]
        print(
            f"soak {s['rate_per_s']}/s for {s['seconds']} s"
            f"{' (fresh words)' if s['fresh_words'] else ''}: answered {s['answered']}, failed "
            f"{s['failed']}; first response p50 {s['first_response_ms'].get('p50')} ms, p95 "
            f"{s['first_response_ms'].get('p95')} ms; answer p50 {s['answer_ms'].get('p50')} ms, "
            f"p95 {s['answer_ms'].get('p95')} ms"
        )
        print(
            f"soak RSS: first {m['first']} MiB, last {m['last']} MiB, max {m['max']} MiB, "
            f"slope after the first minute {m['slope_after_first_minute_per_min']} MiB/min"
        )
        print("RSS samples (s, MiB): " + ", ".join(f"{t}:{v}" for t, v in s["rss_samples"]))
    print(
        f"bot exit status {results['exit_status']}; tracebacks in its log: {results['tracebacks']}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--burst", type=int, default=200, help="questions sent at once")
    parser.add_argument("--rate", type=float, default=50.0, help="soak questions per second")
    parser.add_argument("--soak-seconds", type=float, default=300.0, help="0: no soak")
    parser.add_argument("--sample-seconds", type=float, default=5.0, help="RSS sampling period")
    parser.add_argument("--corpus", help="corpus folder (default: the one config.yaml names)")
    parser.add_argument("--workdir", default="/tmp/talks-bot-discord-load", help="cache, log")
    parser.add_argument(
        "--fresh-words",
        action="store_true",
        help="give every soak question a word never seen before (an open vocabulary)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    results = asyncio.run(run(args))
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print_report(results)
    return 0 if results["exit_status"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
