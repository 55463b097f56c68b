"""Faster, equivalent moto internals: TransactWriteItems, Query, SQS, EventBridge targets.

moto 5.2.5 backs up a transaction by deep-copying every table it names, once per transaction
item, before doing anything: 23 ms per transaction on a table of 1,000 items, 107 ms at 5,000.
Questline commits one transaction per user per batch, so the local system and the test suite
slowed down as their tables grew. :func:`install` swaps in a copy of moto's own function that
differs only in the backup: it deep-copies just the items the transaction touches (or notes
that they were absent) and, when the transaction is cancelled, puts back only those. Every
exception, condition evaluation and cancellation reason is moto's unchanged.

:func:`install` also installs :mod:`questline_local.moto_query` (a Query does not sort the
whole table), :mod:`questline_local.moto_sqs` (SQS calls that do not slow down with the queue's
depth) and :mod:`questline_local.moto_events` (rule targets without a new JSONPath parser per
event), which the local system needs to stay fast as data grows.

Used by the local system and the test suite; never deployed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import moto
from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend

from questline_local import moto_events, moto_query, moto_sqs
from questline_local.moto_touched import TouchedItems

TransactWrite = Callable[[DynamoDBBackend, list[dict[str, Any]]], None]

# The function below, and the ones the other modules replace, are this version's; another
# version keeps its own, and pyproject.toml pins this one.
SUPPORTED_MOTO_VERSION = "5.2.5"

_current = DynamoDBBackend.transact_write_items
# A reloaded module must not mistake the replacement for the original.
_original: TransactWrite = getattr(_current, "moto_original", _current)


class UnsupportedMotoVersion(RuntimeError):
    """The installed moto is not the version these replacements were copied from."""


def install() -> None:
    """Install every speedup (idempotent; affects every backend in the process, the in-process
    ``mock_aws`` and a ``ThreadedMotoServer`` alike). Refuses, leaving moto as it is, any moto
    but the one these functions were copied from: moto's internals change between versions, and
    a copy of another version's would silently differ from the moto it replaces."""
    if moto.__version__ != SUPPORTED_MOTO_VERSION:
        raise UnsupportedMotoVersion(
            f"questline_local.moto_speedups replaces moto {SUPPORTED_MOTO_VERSION}'s internals with "
            f"copies of them, and moto {moto.__version__} is installed: install "
            f"moto[server]=={SUPPORTED_MOTO_VERSION} (the version pyproject.toml pins)"
        )
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    moto_query.install()
    moto_sqs.install()
    moto_events.install()


def uninstall() -> None:
    """Put moto's own implementations back."""
    DynamoDBBackend.transact_write_items = _original  # type: ignore[method-assign]
    moto_query.uninstall()
    moto_sqs.uninstall()
    moto_events.uninstall()


def original_transact_write_items() -> TransactWrite:
    """moto's own implementation, saved before :func:`install` replaced it (for comparisons)."""
    return _original


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """moto 5.2.5's ``DynamoDBBackend.transact_write_items``, line for line, except the backup:
    the touched items instead of deep copies of whole tables."""
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    # Back up each item just before it is touched, in case any of the transactions fail
    touched = TouchedItems(self)

    target_items: set[tuple[str, str]] = set()

    def check_unicity(table_name: str, key: dict[str, Any]) -> None:
        item = (str(table_name), str(dict(sorted(key.items()))))
        if item in target_items:
            raise MultipleTransactionsException()
        target_items.add(item)

    errors: list[tuple[str, str, dict[str, Any]] | tuple[None, None, None]] = []
    for item in transact_items:
        original_item: dict[str, Any] | None = None
        # Check transact writes are not performing multiple operations on the same item
        if len(list(item.keys())) > 1:
            raise TransactWriteSingleOpException

        try:
            op_type, op = next(iter(item.items()))
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise ValueError("Unsupported transaction operation")

            table_name = op["TableName"]
            condition_expression = op.get("ConditionExpression")
            expression_attribute_names = op.get("ExpressionAttributeNames")
            expression_attribute_values = op.get("ExpressionAttributeValues")
            return_values_on_condition_check_failure = op.get("ReturnValuesOnConditionCheckFailure")

            if op_type == "Put":
                attrs = op["Item"]
                table = self.get_table(table_name)
                key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = attrs[table.range_key_attr]
            else:
                key = op["Key"]

            check_unicity(table_name, key)
            touched.save(op_type, table_name, key)

            current = self.get_item(table_name, key)
            if condition_expression is not None:
                condition_op = get_filter_expression(
                    condition_expression,
                    expression_attribute_names,
                    expression_attribute_values,
                )
                if not condition_op.expr(current):
                    if return_values_on_condition_check_failure == "ALL_OLD" and current:
                        original_item = current.to_json()["Attributes"]
                    raise ConditionalCheckFailed(item=original_item)

            if op_type == "Put":
                attrs = op["Item"]
                self.put_item(
                    table_name,
                    attrs,
                    condition_expression=condition_expression,
                    expression_attribute_names=expression_attribute_names,
                    expression_attribute_values=expression_attribute_values,
                )
            elif op_type == "Delete":
                self.delete_item(
                    table_name,
                    key,
                    condition_expression=condition_expression,
                    expression_attribute_names=expression_attribute_names,
                    expression_attribute_values=expression_attribute_values,
                )
            elif op_type == "Update":
                update_expression = op["UpdateExpression"]
                self.update_item(
                    table_name,
                    key,
                    update_expression=update_expression,
                    condition_expression=condition_expression,
                    expression_attribute_names=expression_attribute_names,
                    expression_attribute_values=expression_attribute_values,
                )
            errors.append((None, None, None))
        except (MultipleTransactionsException, MockValidationException):
            # Rollback to the original state, and reraise the error
            touched.restore()
            raise
        except ConditionalCheckFailed as e:
            errors.append(("ConditionalCheckFailed", str(e.message), original_item))  # type: ignore[arg-type]
        except Exception as e:
            # For other exceptions, capture their details
            errors.append((type(e).__name__, str(e), original_item))  # type: ignore[arg-type]

    if any(code is not None for code, _, _ in errors):
        # Rollback to the original state, and reraise the errors
        touched.restore()
        raise TransactionCanceledException(errors)


transact_write_items.moto_original = _original  # type: ignore[attr-defined]
