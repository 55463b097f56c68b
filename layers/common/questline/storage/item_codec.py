"""DynamoDB's typed attribute values to and from plain Python values, for every store."""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def item(**attrs: Any) -> dict[str, Any]:
    """A typed DynamoDB item; None values are left out."""
    return {k: _serializer.serialize(v) for k, v in attrs.items() if v is not None}


def plain(raw: dict[str, Any]) -> dict[str, Any]:
    """A typed DynamoDB item as plain values."""
    return {k: _deserializer.deserialize(v) for k, v in raw.items()}
