"""Measure a falsifiability checker on labelled JSONL sets: the vague flag and the rewrites.

Usage: python bench/falsifiability.py [--file PATH] [--checker rules|llm] [--misses]
The positive class is "vague". Without --file every set is measured: the shared dev set
(shared/eval/falsifiability_dev.jsonl beside a parent of the repository, when it is there),
the statements collected from public sources (tests/data/falsifiability_public.jsonl), the
public held-out set never tuned on (tests/data/falsifiability_public_heldout.jsonl) and the
written examples (tests/data/falsifiability_heldout.jsonl). Each set prints precision, recall
and F1 of the vague flag, and the share of rewrites having each of the five properties of
bot/falsifiability/properties.py, and all five.
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
DATA = REPO / "tests" / "data"
sys.path.insert(0, str(REPO))  # run as a script from anywhere, without installing the package

from bot.falsifiability.properties import check_properties  # noqa: E402
from bot.falsifiability.verdict import Element, Verdict  # noqa: E402

PROPERTIES = ("no new word", "no repeat", "numbers kept", "bounds kept", "condition kept")


def dev_file() -> Path | None:
    """Return the shared dev set beside the repository or one of its parents, if any."""
    for parent in REPO.parents:
        candidate = parent / "shared" / "eval" / "falsifiability_dev.jsonl"
        if candidate.is_file():
            return candidate
    return None


def default_sets() -> dict[str, Path]:
    """Return the labelled sets that exist here, by name."""
    sets = {
        "dev": dev_file(),
        "public": DATA / "falsifiability_public.jsonl",
        "public held-out": DATA / "falsifiability_public_heldout.jsonl",
        "written": DATA / "falsifiability_heldout.jsonl",
    }
    return {name: path for name, path in sets.items() if path is not None and path.is_file()}


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
    # Per property of the rewrite (properties.py), how many rewrites have it; "all" for all five.
    properties: Counter[str] = field(default_factory=Counter)
    rewrite_misses: list[tuple[str, str, str]] = field(default_factory=list)  # text, rewrite, why

    @property
    def total(self) -> int:
        """Return how many statements were checked."""
        return self.tp + self.fp + self.fn + self.tn

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
        found = check_properties(statement=row["text"], rewrite=verdict.rewrite)
        # Asking for a condition the team wrote is the fifth property's failure too.
        asks = Element.FALSIFICATION in verdict.missing and found.lost_condition is None
        flags = (*found.flags[:4], found.flags[4] and not (asks and _writes_condition(row)))
        for name, has in zip(PROPERTIES, flags, strict=True):
            result.properties[name] += has
        result.properties["all five"] += all(flags)
        if not all(flags):
            result.rewrite_misses.append((row["text"], verdict.rewrite, repr(found)))
    return result


def _writes_condition(row: dict[str, str]) -> bool:
    from bot.falsifiability.properties import written_condition

    return written_condition(row["text"]) is not None


def main(argv: list[str] | None = None) -> int:
    """Print the scores of one checker on each set; return a process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, help="measure this JSONL file only")
    parser.add_argument("--checker", choices=("rules", "llm"), default="rules")
    parser.add_argument("--misses", action="store_true", help="list what each set got wrong")
    args = parser.parse_args(argv)
    if args.file is not None and not args.file.is_file():
        parser.error(f"no such file: {args.file}")
    checker = load_checker(args.checker)
    if checker is None:
        return 2
    sets = {args.file.name: args.file} if args.file else default_sets()
    for name, path in sets.items():
        report(name=name, path=path, checker=checker, checker_name=args.checker, misses=args.misses)
    return 0


def report(*, name: str, path: Path, checker: Checker, checker_name: str, misses: bool) -> None:
    """Print one set's scores (and, with `misses`, what it got wrong)."""
    rows = load_rows(path)
    r = run(rows=rows, checker=checker)
    lat = r.latencies_ms
    print(f"== {name}: {checker_name} on {path} ({len(rows)} statements, positive = vague)")
    print(f"precision {r.precision:.3f}  recall {r.recall:.3f}  F1 {r.f1:.3f}")
    print(f"confusion  tp={r.tp}  fp={r.fp}  fn={r.fn}  tn={r.tn}")
    shares = "  ".join(f"{p} {r.properties[p] / r.total:.3f}" for p in (*PROPERTIES, "all five"))
    print(f"rewrites   {shares}")
    print(
        f"latency ms median {statistics.median(lat):.3f}  p95 {percentile(lat, 95):.3f}  "
        f"max {max(lat):.3f}"
    )
    others = {n: k for n, k in r.checkers.items() if n != checker_name}
    if others:  # e.g. no OpenAI key: the service answers with the rules
        print(f"warning: verdicts came from another checker than {checker_name}: {others}")
    print(f"misclassified: {len(r.misses)}  rewrites lacking a property: {len(r.rewrite_misses)}")
    if misses:
        for label, explanation, text in r.misses:
            print(f"  [labelled {label}] {text}\n      -> {explanation}")
        for text, rewrite, why in r.rewrite_misses:
            print(f"  [rewrite] {text}\n      -> {rewrite}\n      {why}")


if __name__ == "__main__":
    sys.exit(main())
