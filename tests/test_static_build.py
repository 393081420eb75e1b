"""The minified static files pages link (static/NAME) match their sources (static/src/NAME):
an edit to a source without `scripts/build-static` would otherwise never reach a browser."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "build_static.py"


def load_builder():
    spec = importlib.util.spec_from_file_location("build_static", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_minified_file_is_built_from_its_current_source():
    builder = load_builder()
    assert builder.sources(), "no sources found in static/src"
    assert builder.stale() == [], "run scripts/build-static"


def test_a_changed_source_is_reported_stale(tmp_path, monkeypatch):
    builder = load_builder()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.js").write_text("var a = 1;  // a comment\n")
    monkeypatch.setattr(builder, "STATIC", tmp_path)
    monkeypatch.setattr(builder, "SOURCES", tmp_path / "src")
    assert builder.stale() == ["a.js"]
    assert builder.main([]) == 0
    assert builder.stale() == [] and "comment" not in (tmp_path / "a.js").read_text()
    (tmp_path / "src" / "a.js").write_text("var a = 2;\n")
    assert builder.stale() == ["a.js"] and builder.main(["--check"]) == 1
