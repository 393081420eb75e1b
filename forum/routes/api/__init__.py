"""The JSON API under /api/v1 (see ../shared/design.md for its public shape)."""
