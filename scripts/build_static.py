"""Minify the forum's JavaScript and CSS: static/src/NAME -> static/NAME (what pages link and
nginx serves). The sources are what people read and edit; the minified files are committed so
a checkout serves them as they are, and tests/test_static_build.py fails when one is stale.

    scripts/build-static          write every minified file
    scripts/build-static --check  exit 1, naming them, if any is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

import rcssmin
import rjsmin

STATIC = Path(__file__).resolve().parent.parent / "static"
SOURCES = STATIC / "src"
HEADER = "/* Built from static/src/{name} by scripts/build-static: edit that file, not this one. */\n"
MINIFIERS = {".js": rjsmin.jsmin, ".css": rcssmin.cssmin}


def sources() -> list[Path]:
    return sorted(path for path in SOURCES.iterdir() if path.suffix in MINIFIERS)


def built(source: Path) -> str:
    minify = MINIFIERS[source.suffix]
    return HEADER.format(name=source.name) + minify(source.read_text(encoding="utf-8")) + "\n"


def stale() -> list[str]:
    """The minified files that do not match their sources (or are missing)."""
    out = []
    for source in sources():
        target = STATIC / source.name
        if not target.exists() or target.read_text(encoding="utf-8") != built(source):
            out.append(target.name)
    return out


def main(argv: list[str]) -> int:
    if "--check" in argv:
        names = stale()
        for name in names:
            print(f"static/{name} is out of date: run scripts/build-static", file=sys.stderr)
        return 1 if names else 0
    for source in sources():
        (STATIC / source.name).write_text(built(source), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
