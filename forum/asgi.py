"""The ASGI app uvicorn imports (`forum.asgi:app`), built from the environment; each worker
process builds its own."""

from forum.app import create_app

app = create_app()
