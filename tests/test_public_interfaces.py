"""The forum uses other libraries through their public interfaces only (issue 19): no reading,
assigning or calling of another object's underscore names, no importing of a module's
underscore names. A private name breaks on the next release, silently; this fails first."""

from __future__ import annotations

import ast
from pathlib import Path

FORUM = Path(__file__).resolve().parent.parent / "forum"
# Public by the named-tuple convention SQLAlchemy's Row and `databases`' Record follow.
NAMED_TUPLE_API = {"_mapping", "_fields", "_asdict", "_replace"}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name not in NAMED_TUPLE_API


def _ours(node: ast.ImportFrom) -> bool:
    return bool(node.level) or (node.module or "").startswith("forum")


def test_no_module_reaches_into_another_objects_or_librarys_private_names():
    found = []
    for path in sorted(FORUM.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            where = f"{path.relative_to(FORUM.parent)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Attribute) and _private(node.attr):
                if not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
                    found.append(f"{where} {ast.unparse(node)}")
            elif isinstance(node, ast.ImportFrom) and not _ours(node):
                found += [f"{where} from {node.module} import {alias.name}"
                          for alias in node.names if _private(alias.name)]
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                  and node.func.id in ("getattr", "setattr") and len(node.args) > 1
                  and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)
                  and _private(node.args[1].value)):
                found.append(f"{where} {ast.unparse(node)}")
    assert found == []
