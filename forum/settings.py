"""Settings built once from the environment and passed in; never imported as a global."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path

from argon2 import PasswordHasher

# Each setting: environment variable, default, help text. The CLI's --help reads from here.
SETTINGS_HELP: dict[str, tuple[str, str]] = {
    "FORUM_DATABASE_URL": ("sqlite:///./forum.db", "sqlite:///path.db or postgresql://user@host/db"),
    "FORUM_BROADCAST_URL": ("memory://", "memory:// (one process) or redis://host:6379/0"),
    "FORUM_SECRET_KEY": ("", "signs sessions and CSRF tokens; generated once beside the SQLite file"),
    "FORUM_ALLOWED_ORIGINS": ("", "comma-separated origins allowed to open /ws; default the serving host"),
    "FORUM_RATE_LIMITS": ("on", "'off' lifts rate limits (benchmarks, imports, black-box checks)"),
    "FORUM_METRICS_FROM": ("", "comma-separated addresses or CIDR ranges that may read /metrics "
                               "without signing in (admins always may)"),
    "FORUM_LOG_FORMAT": ("text", "'json' for one JSON object per line on stderr, with request ids"),
    "FORUM_BASE_URL": ("", "the public address written into emails; default http://HOST:PORT as served"),
    "FORUM_SMTP_URL": ("maildir://./mail", "maildir://DIR (beside the SQLite file) or "
                       "smtp://[user:password@]host:port (smtps:// for TLS, ?starttls=1 for STARTTLS)"),
    "FORUM_MAIL_FROM": ("Practice Forum <forum@localhost>", "the From of every email"),
    "FORUM_EMAIL_DELAY_SECONDS": ("600", "how long a notification waits unseen before it is emailed"),
    "FORUM_UPLOADS_URL": ("file://./uploads", "where uploaded files live: file://./uploads (beside the "
                          "SQLite file), file:///path, or s3://bucket?endpoint=http://host:port for any "
                          "S3-compatible store (credentials from the usual AWS variables)"),
    "FORUM_UPLOAD_MAX_BYTES": ("10485760", "the largest file a member may upload, in bytes"),
}
LOG_FORMATS = ("text", "json")


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///./forum.db"
    broadcast_url: str = "memory://"
    secret_key: str = ""
    allowed_origins: tuple[str, ...] = ()
    rate_limits: bool = True
    metrics_from: tuple[IPv4Network | IPv6Network, ...] = ()
    log_format: str = "text"
    # Mail (forum/mail): where it goes, who it is from, the address its links point at.
    base_url: str = "http://127.0.0.1:8000"
    smtp_url: str = "maildir://./mail"
    mail_from: str = "Practice Forum <forum@localhost>"
    email_delay_seconds: int = 600
    uploads_url: str = "file://./uploads"
    upload_max_bytes: int = 10 * 1024 * 1024
    # Live log window: entries older than this, or beyond this count, are pruned.
    live_log_max_age_seconds: int = 7 * 24 * 3600
    live_log_max_count: int = 100_000
    extra: dict[str, str] = field(default_factory=dict)
    # Never read from the environment, so no setting can cheapen the hashes; a program that
    # builds its own Settings may pass another (the tests pass argon2's cheapest profile).
    password_hasher: PasswordHasher = field(default_factory=PasswordHasher, repr=False, compare=False)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)

        def get(name: str) -> str:
            return env.get(name) or SETTINGS_HELP[name][0]

        database_url = get("FORUM_DATABASE_URL")
        origins = tuple(o.strip() for o in get("FORUM_ALLOWED_ORIGINS").split(",") if o.strip())
        return cls(
            database_url=database_url,
            broadcast_url=get("FORUM_BROADCAST_URL"),
            secret_key=get("FORUM_SECRET_KEY") or secret_key_beside(database_url),
            allowed_origins=origins,
            rate_limits=get("FORUM_RATE_LIMITS").lower() not in ("off", "0", "false", "no"),
            metrics_from=networks(get("FORUM_METRICS_FROM")),
            log_format=log_format(get("FORUM_LOG_FORMAT")),
            base_url=(get("FORUM_BASE_URL") or cls.base_url).rstrip("/"),
            smtp_url=get("FORUM_SMTP_URL"),
            mail_from=get("FORUM_MAIL_FROM"),
            email_delay_seconds=int(get("FORUM_EMAIL_DELAY_SECONDS")),
            uploads_url=get("FORUM_UPLOADS_URL"),
            upload_max_bytes=positive_int("FORUM_UPLOAD_MAX_BYTES", get("FORUM_UPLOAD_MAX_BYTES")),
        )


def networks(value: str) -> tuple[IPv4Network | IPv6Network, ...]:
    """'10.0.0.5, 192.168.0.0/24' -> networks; a single address is a network of one."""
    try:
        return tuple(ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip())
    except ValueError as error:
        raise ValueError(f"FORUM_METRICS_FROM: {error}") from None


def positive_int(name: str, value: str) -> int:
    if not value.strip().isdigit() or int(value) < 1:
        raise ValueError(f"{name} must be a whole number above 0, not {value!r}")
    return int(value)


def log_format(value: str) -> str:
    if value.lower() not in LOG_FORMATS:
        raise ValueError(f"FORUM_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {value!r}")
    return value.lower()


def sqlite_path(database_url: str) -> Path | None:
    """The file behind a sqlite:/// URL, or None for other engines."""
    if not database_url.startswith("sqlite"):
        return None
    # sqlite:///relative.db and sqlite:////absolute.db, as SQLAlchemy spells them
    return Path(database_url.split("://", 1)[1].removeprefix("/").split("?", 1)[0])


def secret_key_beside(database_url: str) -> str:
    """A key generated once and kept in a file beside the SQLite database (0600)."""
    db_file = sqlite_path(database_url)
    key_file = (db_file.parent if db_file else Path(".")) / "forum.secret"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(48)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key
