"""requirements/ pins what pyproject.toml asks for: every dependency of the forum and of its
tests is locked, at a version its specifier allows, with hashes, and the runtime lock is the
test lock's own pins. When this fails after a change to pyproject.toml, run scripts/lock."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_LOCK = ROOT / "requirements" / "lock.txt"
TEST_LOCK = ROOT / "requirements" / "test-lock.txt"
BENCH_LOCK = ROOT / "requirements" / "bench-lock.txt"
# One pin: "name==version", an optional "; marker", then the hashes on continuation lines.
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)"
                 r"(?P<rest>(?:[^\n]*\\\n)*[^\n]*)", re.MULTILINE)
HOW_TO_FIX = "pyproject.toml and the lock disagree: run scripts/lock"


def declared(extra: str | None = None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = project["dependencies"] if extra is None else project["optional-dependencies"][extra]
    return [Requirement(line) for line in listed]


def pins(lock: Path) -> dict[str, list[tuple[Version, str]]]:
    """name -> [(version, the rest of its entry)]: a universal lock may pin one name twice,
    under different platform markers."""
    found: dict[str, list[tuple[Version, str]]] = {}
    for match in PIN.finditer(lock.read_text()):
        found.setdefault(canonicalize_name(match["name"]), []).append(
            (Version(match["version"]), match["rest"]))
    return found


def disagreements(requirements: list[Requirement], lock: Path) -> list[str]:
    locked = pins(lock)
    problems = []
    for requirement in requirements:
        versions = locked.get(canonicalize_name(requirement.name))
        if not versions:
            problems.append(f"{requirement.name} is not in {lock.name}")
        for version, _ in versions or ():
            if not requirement.specifier.contains(version, prereleases=True):
                problems.append(f"{lock.name} pins {requirement.name}=={version}, "
                                f"outside pyproject's {requirement.specifier}")
    return problems


ALL_LOCKS = [RUNTIME_LOCK, TEST_LOCK, BENCH_LOCK]


@pytest.mark.parametrize("lock", ALL_LOCKS, ids=lambda lock: lock.name)
def test_every_runtime_dependency_is_pinned_as_pyproject_allows(lock: Path) -> None:
    assert disagreements(declared(), lock) == [], HOW_TO_FIX


@pytest.mark.parametrize(("extra", "lock"), [("test", TEST_LOCK), ("bench", BENCH_LOCK)])
def test_every_extra_dependency_is_pinned_as_pyproject_allows(extra: str, lock: Path) -> None:
    assert disagreements(declared(extra), lock) == [], HOW_TO_FIX


@pytest.mark.parametrize("lock", [RUNTIME_LOCK, BENCH_LOCK], ids=lambda lock: lock.name)
def test_production_and_benchmarks_run_the_versions_the_tests_ran(lock: Path) -> None:
    tested = pins(TEST_LOCK)
    for name, versions in pins(lock).items():
        if name in tested:  # the bench extra adds packages the tests never load
            assert {v for v, _ in versions} <= {v for v, _ in tested[name]}, \
                f"{name}: {lock.name} and the test lock pin different versions; run scripts/lock"
    if lock == RUNTIME_LOCK:
        assert set(pins(lock)) <= set(tested), "the runtime lock pins something the tests never ran"


@pytest.mark.parametrize("lock", ALL_LOCKS, ids=lambda lock: lock.name)
def test_every_pin_carries_hashes(lock: Path) -> None:
    """With a hash on every line pip installs in hash-checking mode: only the files locked."""
    unhashed = [name for name, versions in pins(lock).items()
                if any("--hash=sha256:" not in rest for _, rest in versions)]
    assert unhashed == []


def test_the_parser_reads_a_real_entry() -> None:
    """Guards the checks above against passing on a lock they failed to read."""
    locked = pins(TEST_LOCK)
    assert "starlette" in locked and "pytest" in locked and "pytest" not in pins(RUNTIME_LOCK)
