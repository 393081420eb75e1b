"""/metrics in Prometheus' text format, for administrators (session or token) and for the
addresses in FORUM_METRICS_FROM (a Prometheus server scraping without an account)."""

from __future__ import annotations

from ipaddress import ip_address

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from forum.db import mail_outbox
from forum.routes._common import forum_of, member_of

# 403, not 404: the endpoint is documented, and an operator whose scraper is refused should
# learn why; the numbers, not the endpoint's existence, are what is kept back.
REFUSED = "Metrics are for administrators and for the addresses in FORUM_METRICS_FROM."


def from_trusted_address(request: Request) -> bool:
    """The client as uvicorn reports it, i.e. after a trusted proxy's X-Forwarded-For."""
    networks = forum_of(request).settings.metrics_from
    if not networks or request.client is None:
        return False
    try:
        address = ip_address(request.client.host)
    except ValueError:  # a Unix socket's peer, say
        return False
    return any(address in network for network in networks)


async def metrics(request: Request) -> Response:
    if not from_trusted_address(request):
        member = await member_of(request)
        if member is None or not member.is_admin:
            return PlainTextResponse(REFUSED, status_code=403)
    request.state.metrics.set_mail_outbox(await mail_outbox.summary(forum_of(request).db))
    registry = request.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST,
                    headers={"cache-control": "no-store"})


routes = [Route("/metrics", metrics, name="metrics")]
