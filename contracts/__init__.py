"""The shared contract of khabar: settings, topics, record schemas and errors. Imports no client library."""

from contracts.errors import ConfigError, KhabarError, SchemaError, TopicError
from contracts.schemas import (
    Alert,
    ClusteredArticle,
    DeadLetter,
    Duplicate,
    EnrichedArticle,
    RawArticle,
    Record,
    StoryUpdate,
    decode,
    decode_either,
    encode,
)
from contracts.settings import Settings, load_settings
from contracts.topics import Topic, TopicSpec, topic_name, topic_specs

__all__ = [
    "Alert",
    "ClusteredArticle",
    "ConfigError",
    "DeadLetter",
    "Duplicate",
    "EnrichedArticle",
    "KhabarError",
    "RawArticle",
    "Record",
    "SchemaError",
    "Settings",
    "StoryUpdate",
    "Topic",
    "TopicError",
    "TopicSpec",
    "decode",
    "decode_either",
    "encode",
    "load_settings",
    "topic_name",
    "topic_specs",
]
