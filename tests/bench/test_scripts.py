"""Every benchmark still imports and answers --help, so a move elsewhere cannot rot one unseen.

The benches are not tests (they take minutes), so nothing else would notice a broken import.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
MODULES = sorted(p for p in BENCH.glob("*.py") if p.name != "__init__.py")
SCRIPTS = [p for p in MODULES if 'if __name__ == "__main__":' in p.read_text()]


def test_the_bench_folder_has_scripts() -> None:
    # A glob that matched nothing would make the tests below pass vacuously.
    assert {p.name for p in SCRIPTS} >= {
        "ack_latency.py",
        "cold_start.py",
        "processes_under_load.py",
    }


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.stem)
def test_each_bench_module_imports(module: Path) -> None:
    importlib.import_module(f"bench.{module.stem}")


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_each_bench_script_answers_help_from_anywhere(script: Path, tmp_path: Path) -> None:
    # Run as the docs say, from another folder, so the script's own path set-up is exercised.
    done = subprocess.run(
        [sys.executable, str(script), "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage:"), done.stdout
