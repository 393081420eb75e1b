"""FORUM_LOG_FORMAT=json: one JSON object per line on stderr, for the forum's own loggers and
uvicorn's (its access log included), each line of a request carrying that request's id."""

from __future__ import annotations

import json
import logging
import logging.config
from typing import Any

from forum.web.request_id import current_request_id

# uvicorn's access log record carries these as its arguments, in this order.
ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the request being handled when it was logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        time = self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}"
        entry: dict[str, Any] = {"time": time, "level": record.levelname.lower(), "logger": record.name}
        request_id = getattr(record, "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) == 5:
            entry.update(zip(ACCESS_FIELDS, record.args, strict=True))
            # The query string is dropped: it holds what people search for.
            entry["path"] = str(entry["path"]).split("?", 1)[0]
            entry["message"] = f'{entry["method"]} {entry["path"]} {entry["status"]}'
        else:
            entry["message"] = record.getMessage()
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def json_log_config() -> dict[str, Any]:
    """A logging.config.dictConfig dictionary; uvicorn applies it in every worker process."""
    handler = {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
               "formatter": "json", "filters": ["request_id"]}
    quiet_parents = {"handlers": ["stderr"], "level": "INFO", "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"stderr": handler},
        "loggers": {"uvicorn": quiet_parents, "uvicorn.access": quiet_parents, "forum": quiet_parents},
        "root": {"handlers": ["stderr"], "level": "WARNING"},
    }


def configure_logging(log_format: str) -> dict[str, Any] | None:
    """Set up this process's logging; the config for uvicorn to repeat in its workers, or None
    to leave uvicorn's own text logging as it is."""
    if log_format != "json":
        return None
    config = json_log_config()
    logging.config.dictConfig(config)
    return config
