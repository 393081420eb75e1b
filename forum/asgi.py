"""The ASGI app uvicorn imports (`forum.asgi:app`), built from the environment; each worker
process builds its own, and freezes what it holds once started (see forum/app.py)."""

from forum.app import create_app

app = create_app(freeze_after_start=True)
