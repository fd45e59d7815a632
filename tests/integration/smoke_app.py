"""A real Faust app for the smoke test: it reads raw articles and keeps their titles in a table.

Configured by environment (the test runs it as ``python -m faust -A tests.integration.smoke_app worker``):
``SMOKE_APP_ID``, ``SMOKE_TOPIC``, ``SMOKE_DATADIR`` and the usual ``KHABAR_KAFKA__BOOTSTRAP_SERVERS``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import faust

from contracts.schemas import RawArticle, decode
from contracts.settings import load_settings

settings = load_settings()

app = faust.App(
    os.environ["SMOKE_APP_ID"],
    broker=[f"kafka://{server}" for server in settings.kafka.bootstrap_servers],
    store="memory://",
    datadir=os.environ["SMOKE_DATADIR"],
    topic_partitions=1,
    topic_replication_factor=1,
    web_enabled=False,
)

raw = app.topic(os.environ["SMOKE_TOPIC"], key_type=bytes, value_type=bytes, value_serializer="raw")

titles = app.Table("titles", key_type=str, value_type=str, partitions=1)


@app.agent(raw)
async def remember(stream: faust.StreamT[bytes]) -> AsyncIterator[str]:
    async for value in stream:
        article = decode(value, RawArticle)
        titles[article.id] = article.title
        yield article.id
