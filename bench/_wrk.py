"""wrk, the HTTP load generator the page benchmarks drive: one run against one URL, read back
as requests per second and the 99th-percentile latency."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess

from bench._common import say

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclasses.dataclass
class Load:
    requests_per_second: float
    p99_ms: float
    answered: bool = True  # False: not one answer within the run (p99 is then the run's length)


def wrk(url: str, connections: int, seconds: int, cookie: str) -> Load:
    # A 30 s timeout, not wrk's 2 s: a slow answer is measured, not dropped from the latencies.
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency",
               "-H", f"Cookie: {cookie}", url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if bad:
        raise RuntimeError(f"{url} answered {bad.group(1)} non-2xx responses: a bench of error pages "
                           f"is worthless\n{out}")
    errors = re.search(r"Socket errors: (.*)", out)
    if errors:
        say(f"    wrk socket errors on {url}: {errors.group(1)}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    if int(re.search(r"(\d+) requests in", out).group(1)) == 0:  # type: ignore[union-attr]
        return Load(0.0, seconds * 1000.0, answered=False)
    value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return Load(rps, float(value) * UNITS[unit])


def ensure_wrk() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk); bench/run installs it")
