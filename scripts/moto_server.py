"""Starts moto server with two performance fixes (behaviour unchanged).

1. DynamoDB transactions.

moto's `transact_write_items` deep-copies every table a transaction touches,
once per action, to be able to roll back: O(actions x table size) per call.
Our ingest commits 100-action transactions into ever-growing tables, which
made a simulated show night take minutes. This launcher keeps moto's own
transaction logic and only replaces the rollback: it snapshots the items the
transaction touches and restores exactly those on cancellation.

2. SQS queue attributes. `Queue.attributes` computes every attribute,
including the message counts (a scan of the whole queue), and moto reads it
on every SendMessage and per received message: O(queue length) per message.
Here it is a mapping that computes an attribute only when it is read.

Usage: python scripts/moto_server.py -H 127.0.0.1 -p 4566
"""

import copy
import json
import sys
from collections.abc import Mapping

import moto.sqs.models as sqs_models
from moto.core.utils import camelcase_to_underscores

import moto.dynamodb.models as ddb
from moto.dynamodb.models.table import Table
from moto.server import main

_real_copy = copy


class _NoTableCopy:
    """Stands in for the `copy` module inside moto.dynamodb.models: tables are
    not copied (we roll back item by item); everything else is."""

    @staticmethod
    def deepcopy(value, memo=None):
        if isinstance(value, Table):
            return value
        return _real_copy.deepcopy(value, memo)

    def __getattr__(self, name):
        return getattr(_real_copy, name)


ddb.copy = _NoTableCopy()
_original = ddb.DynamoDBBackend.transact_write_items


def _key_of(backend, op_type, op):
    table = backend.get_table(op["TableName"])
    if op_type != "Put":
        return op["Key"]
    attrs = op["Item"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def transact_write_items(self, transact_items):
    snapshots = []
    for item in transact_items:
        op_type, op = next(iter(item.items()))
        try:
            key = _key_of(self, op_type, op)
            current = self.get_item(op["TableName"], key)
        except Exception:  # moto's own validation reports it below
            continue
        attrs = copy.deepcopy(current.to_json()["Attributes"]) if current else None
        snapshots.append((op["TableName"], key, attrs))
    try:
        return _original(self, transact_items)
    except Exception:
        for table_name, key, attrs in reversed(snapshots):
            if attrs is None:
                try:
                    self.delete_item(table_name, key)
                except Exception:
                    pass
            else:
                self.put_item(table_name, attrs)
        raise


ddb.DynamoDBBackend.transact_write_items = transact_write_items


class _LazyQueueAttributes(Mapping):
    """`Queue.attributes`, computed per key on access (same keys and values)."""

    def __init__(self, queue):
        self._q = queue
        names = list(queue.BASE_ATTRIBUTES)
        if queue.fifo_queue:
            names += queue.FIFO_ATTRIBUTES
        if queue.kms_master_key_id:
            names += queue.KMS_ATTRIBUTES
        self._names = list(dict.fromkeys(names))

    def __getitem__(self, name):
        if name not in self._names:
            raise KeyError(name)
        q = self._q
        if name == "Policy" and q.policy:
            value = q.policy
        elif name == "RedrivePolicy" and q.redrive_policy:
            value = json.dumps(q.redrive_policy)
        else:
            value = getattr(q, camelcase_to_underscores(name))
        if isinstance(value, bool):
            value = str(value).lower()
        return value

    def __iter__(self):
        return iter(self._names)

    def __len__(self):
        return len(self._names)


sqs_models.Queue.attributes = property(_LazyQueueAttributes)

if __name__ == "__main__":
    main(sys.argv[1:])
