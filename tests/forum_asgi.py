"""What `forum serve` serves when the tests start it (tests/forum_command.py): forum/asgi.py's
app, with argon2's cheapest profile."""

from forum.app import create_app
from tests.forum_command import settings_from_env

app = create_app(settings_from_env(), freeze_after_start=True)
