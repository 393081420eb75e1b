"""The fixed set of reactions: the names the API and forms use, what each shows, and the
summary a post keeps of them (posts.reactions, JSON)."""

from __future__ import annotations

import json
from typing import Any, NamedTuple


class Reaction(NamedTuple):
    name: str  # in URLs and the API
    emoji: str  # what the page shows
    label: str  # what a screen reader says


REACTIONS = (
    Reaction("+1", "👍", "Thumbs up"),
    Reaction("heart", "❤️", "Heart"),
    Reaction("tada", "🎉", "Celebrate"),
    Reaction("thinking", "🤔", "Thinking"),
    Reaction("eyes", "👀", "Looking"),
    Reaction("thanks", "🙏", "Thanks"),
)
BY_NAME = {reaction.name: reaction for reaction in REACTIONS}
NAMES = tuple(BY_NAME)
# Names kept per emoji in the summary; past it, "and N others". A post's row stays small.
NAMES_SHOWN = 10


def summary_json(rows: list[Any]) -> str:
    """A post's summary from its reaction rows (emoji, username), oldest first."""
    counts: dict[str, int] = {}
    names: dict[str, list[str]] = {}
    for row in rows:
        counts[row["emoji"]] = counts.get(row["emoji"], 0) + 1
        shown = names.setdefault(row["emoji"], [])
        if len(shown) < NAMES_SHOWN:
            shown.append(row["username"])
    return json.dumps([[name, counts[name], names[name]] for name in NAMES if name in counts],
                      ensure_ascii=False) if counts else ""


def summary(stored: str | None) -> list[dict[str, Any]]:
    """[{name, emoji, label, count, users}] in the fixed order, only those with a count."""
    if not stored:
        return []
    return [{"name": name, "emoji": BY_NAME[name].emoji, "label": BY_NAME[name].label,
             "count": count, "users": users} for name, count, users in json.loads(stored)]


def api_reactions(stored: str | None, mine: set[str] | frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """`reactions` as the API shows them: [{emoji, count, mine}]."""
    return [{"emoji": r["name"], "count": r["count"], "mine": r["name"] in mine} for r in summary(stored)]
