"""Measure a falsifiability checker on a labelled JSONL file: P/R/F1 of the vague flag, latency.

Usage: python bench/falsifiability.py [--file PATH] [--checker rules|llm]
The positive class is "vague". The default file is ../shared/eval/falsifiability_dev.jsonl,
resolved from the repository root.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_FILE = REPO.parent / "shared" / "eval" / "falsifiability_dev.jsonl"
sys.path.insert(0, str(REPO))  # run as a script from anywhere, without installing the package

from bot.falsifiability.verdict import Verdict  # noqa: E402

Checker = Callable[[str], Verdict]


@dataclass
class BenchResult:
    """Confusion counts of the vague flag, the statements missed, and latencies in ms."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # label, explanation, text
    latencies_ms: list[float] = field(default_factory=list)
    checkers: Counter[str] = field(default_factory=Counter)  # which checker gave each verdict

    @property
    def precision(self) -> float:
        """Return the share of statements flagged vague that are labelled vague."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """Return the share of statements labelled vague that were flagged."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Return the harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_checker(name: str) -> Checker | None:
    """Return the checker to measure, or None (with a message) when it cannot be loaded."""
    if name == "rules":
        from bot.falsifiability.rules import check_rules

        return check_rules
    try:
        from bot.falsifiability import check  # type: ignore[attr-defined]
    except ImportError:
        try:
            from bot.falsifiability.service import check
        except ImportError as error:  # the LLM checker is not in this checkout yet
            print(f"llm checker not available: {error}")
            return None
    return check  # type: ignore[no-any-return]


def load_rows(path: Path) -> list[dict[str, str]]:
    """Return the labelled rows of a JSONL file, skipping blank lines."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile (0-100) by the nearest-rank method."""
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered) + 0.5))
    return ordered[min(rank, len(ordered)) - 1]


def run(*, rows: list[dict[str, str]], checker: Checker) -> BenchResult:
    """Check every row and count how the vague flag agrees with the label."""
    result = BenchResult()
    checker("Warm up: churn will fall by 1 point.")  # first-call set-up is not per-statement cost
    for row in rows:
        started = time.perf_counter()
        verdict = checker(row["text"])
        result.latencies_ms.append((time.perf_counter() - started) * 1000)
        result.checkers[verdict.checker] += 1
        predicted, actual = verdict.vague, row["label"] == "vague"
        result.tp += predicted and actual
        result.fp += predicted and not actual
        result.fn += actual and not predicted
        result.tn += not predicted and not actual
        if predicted != actual:
            result.misses.append((row["label"], verdict.explanation, row["text"]))
    return result


def main(argv: list[str] | None = None) -> int:
    """Print the scores of one checker on one file; return a process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--checker", choices=("rules", "llm"), default="rules")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        parser.error(f"no such file: {args.file}")
    checker = load_checker(args.checker)
    if checker is None:
        return 2
    rows = load_rows(args.file)
    r = run(rows=rows, checker=checker)
    lat = r.latencies_ms
    print(f"{args.checker} on {args.file} ({len(rows)} statements, positive class = vague)")
    print(f"precision {r.precision:.3f}  recall {r.recall:.3f}  F1 {r.f1:.3f}")
    print(f"confusion  tp={r.tp}  fp={r.fp}  fn={r.fn}  tn={r.tn}")
    print(
        f"latency ms median {statistics.median(lat):.3f}  p95 {percentile(lat, 95):.3f}  "
        f"max {max(lat):.3f}"
    )
    others = {name: n for name, n in r.checkers.items() if name != args.checker}
    if others:  # e.g. no OpenAI key: the service answers with the rules
        print(f"warning: verdicts came from another checker than {args.checker}: {others}")
    print(f"misclassified: {len(r.misses)}")
    for label, explanation, text in r.misses:
        print(f"  [labelled {label}] {text}\n      -> {explanation}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
