"""The `forum` command as the tests run it: `python -m tests.forum_command ARGS` is `forum ARGS`
with argon2's cheapest profile for every password it hashes or checks.

The suite hashes hundreds of passwords; at argon2's real cost (about 50 ms each here) that
alone would take minutes. The forum has no switch for this, so nobody can flip one in
production: the tests build the settings themselves and hand the hasher in, here for the
command and the servers it starts (tests/forum_asgi.py), in tests/conftest.py in-process."""

from __future__ import annotations

import dataclasses

from argon2 import PasswordHasher, profiles

from forum.settings import Settings

CHEAP_HASHER = PasswordHasher.from_parameters(profiles.CHEAPEST)


def settings_from_env() -> Settings:
    return dataclasses.replace(Settings.from_env(), password_hasher=CHEAP_HASHER)


if __name__ == "__main__":
    from forum.cli import main

    main(settings=settings_from_env(), asgi_app="tests.forum_asgi:app")
