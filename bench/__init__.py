"""Benchmarks: each measures the forum side by side with a baseline on the same stack, in
the same run, and reports ratios (see BENCHMARKS.md). Run them all with `bench/run`."""
