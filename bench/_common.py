"""What every benchmark shares: the result row, medians, the machine's description and the
table `bench/run` prints."""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


@dataclass
class Row:
    """One measured figure: the forum's median beside its baseline's, and the target it must meet."""

    benchmark: str          # e.g. "thread page, 32 connections"
    measure: str            # e.g. "requests/s"
    forum: float
    baseline: float | None  # None when the target is absolute (e.g. KB per connection)
    target: str             # human-readable: ">= 50% of baseline"
    passed: bool
    runs: list[float] | None = None  # the forum's figure in each run, for the record
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if not self.baseline:
            return None
        return self.forum / self.baseline


def say(message: str) -> None:
    """Progress, on stderr: stdout is the table."""
    print(message, file=sys.stderr, flush=True)


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory = int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
    except (ValueError, OSError):
        memory = 0
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    return {"cores": str(os.cpu_count()), "cpu": cpu, "memory_gib": str(memory),
            "python": platform.python_version(), "kernel": platform.release(), "commit": commit}


def _figure(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def table(rows: list[Row]) -> str:
    header = ("benchmark", "measure", "forum", "baseline", "ratio", "target", "ok")
    body = [(r.benchmark, r.measure, _figure(r.forum), _figure(r.baseline),
             "-" if r.ratio is None else f"{r.ratio:.2f}", r.target, "yes" if r.passed else "NO")
            for r in rows]
    widths = [max(len(str(line[i])) for line in [header, *body]) for i in range(len(header))]
    lines = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)) + " |"
             for line in [header, *body]]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def part_main(run: Callable[[int, bool], list[Row]], doc: str | None, quick_help: str) -> None:
    """`python -m bench.<part> [--runs N] [--quick]`: run one part and print its table."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help=quick_help)
    args = parser.parse_args()
    print(table(run(args.runs, args.quick)))


def save(name: str, rows: list[Row]) -> Path:
    """Keep each part's rows (and the machine) so `bench/run` and BENCHMARKS.md can quote them."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), "rows": [asdict(r) for r in rows]}, indent=2))
    return path


def load(name: str) -> list[Row]:
    data = json.loads((RESULTS / f"{name}.json").read_text())
    return [Row(**row) for row in data["rows"]]
