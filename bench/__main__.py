"""`python -m bench`: run every benchmark part and print one table (bench/run calls this).

    python -m bench [--runs 3] [--quick] [--only fanout,memory]
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time

from bench._common import RESULTS, Row, machine, table

# In the order they run; each is a module in bench/ with run(runs, quick) -> list[Row].
PARTS = ("pages", "fanout", "readers", "restart", "memory", "scale_out", "delivery_cost", "data_scale",
         "uploads")


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench/run", description="Run the benchmarks; print the table.")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure; the table shows medians")
    parser.add_argument("--quick", action="store_true", help="small configurations: checks the scripts work")
    parser.add_argument("--only", default=",".join(PARTS),
                        help=f"comma-separated parts of {', '.join(PARTS)}")
    args = parser.parse_args()
    chosen = [part.strip() for part in args.only.split(",") if part.strip()]
    unknown = sorted(set(chosen) - set(PARTS))
    if unknown:
        parser.error(f"unknown parts: {', '.join(unknown)}")
    rows: list[Row] = []
    failures: list[str] = []
    for part in chosen:
        started = time.monotonic()
        print(f"== {part}", file=sys.stderr, flush=True)
        try:
            rows += importlib.import_module(f"bench.{part}").run(args.runs, args.quick)
        except Exception as error:  # one broken part must not hide the others' figures
            failures.append(f"{part}: {error}")
            print(f"{part} failed: {error}", file=sys.stderr)
        print(f"== {part} took {time.monotonic() - started:.0f}s", file=sys.stderr, flush=True)
    info = machine()
    header = (f"Machine: {info['cores']} cores, {info['cpu']}, {info['memory_gib']} GiB; "
              f"Python {info['python']}; kernel {info['kernel']}; commit {info['commit']}. "
              f"Medians of {args.runs} runs"
              f"{' (quick configuration)' if args.quick else ''}.")
    report = f"{header}\n\n{table(rows)}\n" if rows else header + "\n"
    for row in rows:
        if row.note:
            report += f"\n- {row.benchmark}: {row.note}"
    print(report)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "summary.md").write_text(report)
    if failures:
        print("\n".join(["Parts that failed:", *failures]), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
