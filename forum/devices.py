"""A readable device name from a User-Agent header, so members recognise their own sessions."""

from __future__ import annotations

import re

# (pattern, name), first match wins: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = [(r"Edg/", "Edge"), (r"OPR/", "Opera"), (r"Firefox/", "Firefox"), (r"Chrom(e|ium)/", "Chrome"),
             (r"Safari/", "Safari"), (r"curl/", "curl"), (r"python-httpx|python-requests", "Python")]
_SYSTEMS = [(r"Android", "Android"), (r"iPhone|iPad", "iOS"), (r"Windows", "Windows"),
            (r"Mac OS X|Macintosh", "macOS"), (r"CrOS", "ChromeOS"), (r"Linux", "Linux")]


def device_name(user_agent: str) -> str:
    """'Firefox on Linux': enough to tell your phone from your laptop, nothing more."""
    browser = next((name for pattern, name in _BROWSERS if re.search(pattern, user_agent)), "")
    system = next((name for pattern, name in _SYSTEMS if re.search(pattern, user_agent)), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown device"
