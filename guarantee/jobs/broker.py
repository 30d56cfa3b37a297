"""The dramatiq broker from GARANZIA_BROKER_URL: Redis, RabbitMQ, or in-process when embedded."""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.stub import StubBroker


def make_broker(url: str | None, *, namespace: str = "garanzia") -> dramatiq.Broker:
    if not url:
        # Embedded: messages live in memory and a worker thread in the same process runs them.
        return StubBroker()
    if url.startswith(("redis://", "rediss://")):
        from dramatiq.brokers.redis import RedisBroker

        return RedisBroker(url=url, namespace=namespace)  # type: ignore[no-untyped-call]
    if url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return RabbitmqBroker(url=url)
    raise ValueError(f"GARANZIA_BROKER_URL non supportato: {url!r} (redis:// o amqp://)")
