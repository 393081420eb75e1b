"""Deliveries per second for N forum processes on C cores, from CPU per reply measured with one
process and with two (bench/delivery_cost.py).

Each part's CPU per reply with N processes is taken as its cost with one process plus, for
every process beyond the first, what the second added: the work each process repeats for every
reply (its doorbell from Redis, reading the log, and for a reply its readers follow, reading it
in full and serialising it) grows with N; handing each reply to its readers and writing it do
not. Replies per second are then bounded four ways, and the lowest bound wins:

- cores: the forum processes, PostgreSQL and Redis share C cores (the load comes from elsewhere);
- processes: each process is one thread, at most one core, and takes an even share of the work;
- PostgreSQL: one core, its measured CPU per reply (it uses more cores for reads, but the live
  log's writes are ordered by one lock: one core is the conservative bound);
- Redis: one core (it runs commands on one thread).
"""

from __future__ import annotations

from dataclasses import dataclass

PROCESSES = (1, 2, 4, 8, 16)
CORES = (2, 4, 8, 16, 32)


@dataclass
class Costs:
    readers: int  # deliveries per reply
    per_reply: dict[str, tuple[float, float]]  # part -> (CPU s per reply with 1 process, with 2)

    def with_processes(self, part: str, processes: int) -> float:
        one, two = self.per_reply[part]
        return one + (processes - 1) * max(0.0, two - one)


def replies_per_second(costs: Costs, processes: int, cores: int) -> tuple[float, str]:
    """The most replies a second and what bounds them."""
    forum = costs.with_processes("forum", processes)
    postgresql = costs.with_processes("postgresql", processes)
    redis = costs.with_processes("redis", processes)
    bounds = {"cores": cores / (forum + postgresql + redis), "processes": processes / forum,
              "PostgreSQL": 1 / postgresql if postgresql else float("inf"),
              "Redis": 1 / redis if redis else float("inf")}
    bound = min(bounds, key=lambda name: bounds[name])
    return bounds[bound], bound


def _rate(value: float) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    return f"{value / 1000:,.0f}k" if value >= 10_000 else f"{value:,.0f}"


def model_table(scenarios: dict[str, Costs]) -> str:
    lines: list[str] = []
    for name, costs in scenarios.items():
        used = ", ".join(f"{part} {one * 1000:.2f} ms with 1 process, {two * 1000:.2f} ms with 2"
                         for part, (one, two) in costs.per_reply.items())
        lines += [f"Deliveries/s, {name}; CPU per reply measured: {used}.", "",
                  "| processes | " + " | ".join(f"{c} cores" for c in CORES) + " |",
                  "|---|" + "---|" * len(CORES)]
        for n in PROCESSES:
            cells = []
            for c in CORES:
                rate, bound = replies_per_second(costs, n, c)
                cells.append(f"{_rate(rate * costs.readers)} ({bound})")
            lines.append(f"| {n} | " + " | ".join(cells) + " |")
        for part in ("PostgreSQL", "Redis"):
            first = next((n for n in range(1, 257)
                          if replies_per_second(costs, n, 10_000)[1] == part), None)
            lines.append("" if first is None else
                         f"\n{part} becomes the bottleneck from {first} processes, whatever the cores "
                         f"(about {_rate(replies_per_second(costs, first, 10_000)[0] * costs.readers)}"
                         " deliveries/s).")
        lines.append("")
    return "\n".join(line for line in lines if line is not None).rstrip()
