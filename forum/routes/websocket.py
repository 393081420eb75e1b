"""The live endpoint /ws (filled in by the live-updates work)."""

routes: list = []
