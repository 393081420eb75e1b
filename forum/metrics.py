"""Prometheus metrics: requests by route template and status, their latency, and the live
side's counts (forum/realtime/counts.py), in a registry of the app's own.

Each process counts for itself: with several workers, a scrape reaches one of them and sees
that worker's numbers (label each worker's target separately to see them all)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forum.loop_watch import LoopWatch
from forum.realtime.counts import LiveCounts
from forum.web.middleware import HttpMiddleware

# Anything else a client makes up is counted as "other", so no client can add label values.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "(unmatched)"  # a 404 for a path no route knows: one label, whatever the path
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class LiveCollector(Collector):
    """Reads the hub's counts when scraped; nothing before the lifespan has opened a hub."""

    def __init__(self) -> None:
        self.counts: LiveCounts | None = None

    def collect(self) -> Iterator[Metric]:
        counts = self.counts or LiveCounts()
        yield GaugeMetricFamily("forum_live_connections", "Live WebSocket connections open now",
                                value=counts.connections)
        yield CounterMetricFamily("forum_live_events_handed_out",
                                  "Events handed to live readers (one per event per reader)",
                                  value=counts.events_handed_out)
        yield CounterMetricFamily("forum_live_readers_dropped",
                                  "Live readers closed for not reading (they reconnect and resume)",
                                  value=counts.readers_dropped)
        passed_over = CounterMetricFamily(
            "forum_live_passed_over", "Events, typing frames and other processes' doorbells on channels "
            "no reader of this process follows, passed over without reading their data", labels=["kind"])
        passed_over.add_metric(["event"], counts.events_passed_over)
        passed_over.add_metric(["typing"], counts.frames_passed_over)
        passed_over.add_metric(["doorbell"], counts.doorbells_passed_over)
        yield passed_over


class ForumMetrics:
    def __init__(self) -> None:
        # The app's own registry, not the process-wide default: tests build many apps in
        # one process, and each must count only its own requests.
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("forum_http_requests", "HTTP requests answered, by route template",
                                ["route", "method", "status"], registry=self.registry)
        self.latency = Histogram("forum_http_request_duration_seconds",
                                 "Time from a request's arrival to the end of its answer",
                                 ["route"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.connection_wait = Histogram(
            "forum_db_connection_wait_seconds", "Time a request waited for a pooled database connection",
            buckets=LATENCY_BUCKETS, registry=self.registry)
        # The outbox is the database's, shared by every process: read when scraped.
        self.mail_outbox = Gauge("forum_mail_outbox_messages",
                                 "Emails in the outbox: waiting to go out, retrying after a failure, "
                                 "given up", ["state"], registry=self.registry)
        self.live = LiveCollector()
        self.registry.register(self.live)
        self.loop_watch = LoopWatch(self.registry)
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def set_mail_outbox(self, counts: dict[str, int]) -> None:
        for state, count in counts.items():
            self.mail_outbox.labels(state).set(count)

    def watch_live(self, counts: LiveCounts) -> None:
        self.live.counts = counts

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        key = (route, method, status)
        children = self._children.get(key)
        if children is None:  # labels() takes a lock and builds a tuple: once per key, not per request
            children = self._children[key] = (self.requests.labels(route, method, str(status)),
                                              self.latency.labels(route))
        children[0].inc()
        children[1].observe(seconds)


def route_template(scope: Scope, root_path: str, routes: Sequence[BaseRoute]) -> str:
    """The matched route's path as written ("/t/{thread_id}"), never the path itself, so the
    labels stay few whatever visitors ask for."""
    route = scope.get("route")  # set by Starlette's router as it matches
    if route is None:
        # Answered before routing (a cached visitor's page) or by no route at all.
        route = next((r for r in routes if r.matches(scope)[0] != Match.NONE), None)
        if route is None:
            return UNMATCHED
    if isinstance(route, Mount):
        return f"{route.path}/{{path}}"
    mounted_under = scope.get("root_path", "")[len(root_path):]
    return mounted_under + getattr(route, "path", UNMATCHED)


class MetricsMiddleware(HttpMiddleware):
    """Counts and times every HTTP request; outermost, so compression is timed too."""

    def __init__(self, app: ASGIApp, metrics: ForumMetrics, routes: Iterable[BaseRoute]) -> None:
        super().__init__(app)
        self.metrics = metrics
        self.routes = list(routes)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        root_path = scope.get("root_path", "")
        status = 500  # unless an answer starts: an exception becomes the server's 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            method = scope["method"] if scope["method"] in KNOWN_METHODS else "other"
            self.metrics.observe(route_template(scope, root_path, self.routes), method, status,
                                 time.perf_counter() - started)
