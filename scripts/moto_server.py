"""Starts moto server with four performance fixes and one correctness fix.

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

3. DynamoDB queries. A base-table `Query` collects its partition from
`Table.all_items()`, which lists and sorts every item of the table: O(table
size) per query, ~0.2 s per dashboard read on a simulated night. Here the
query's own thread sees only the partition (sorted by moto as before).

4. DynamoDB isolation (correctness). moto serves requests on several threads
and applies a transaction's actions one by one, rolling back on cancellation.
Without a lock, two concurrent requests interleave: a cancelled transaction
restores items that another request updated meanwhile (lost or phantom
increments), and a reader can see a transaction half applied. DynamoDB
serializes writes per item and never shows an uncommitted transaction; here
every DynamoDB backend operation holds one lock, which gives at least that.

Usage: python scripts/moto_server.py -H 127.0.0.1 -p 4566
"""

import copy
import json
import sys
import threading
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

_partition = threading.local()
_original_all_items = Table.all_items
_original_query = Table.query


def _all_items(self):
    override = getattr(_partition, "items", None)
    if override is not None and override[0] is self:
        return list(override[1])
    return _original_all_items(self)


def _query(self, hash_key, *args, **kwargs):
    # (range_comparison, range_objs, limit, exclusive_start_key, scan_index_forward,
    # projection_expressions, index_name, ...): moto passes index_name positionally.
    index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
    if index_name is not None or hash_key is None:
        return _original_query(self, hash_key, *args, **kwargs)
    if self.range_key_attr:
        items = list(self.items.get(hash_key, {}).values())
    else:
        items = [self.items[hash_key]] if hash_key in self.items else []
    _partition.items = (self, items)
    try:
        return _original_query(self, hash_key, *args, **kwargs)
    finally:
        _partition.items = None


Table.all_items = _all_items
Table.query = _query

_ddb_lock = threading.RLock()


def _serialized(method):
    def locked(self, *args, **kwargs):
        with _ddb_lock:
            return method(self, *args, **kwargs)

    locked.__name__ = method.__name__
    locked.__doc__ = method.__doc__
    return locked


for _name in (
    "transact_write_items",
    "transact_get_items",
    "put_item",
    "update_item",
    "delete_item",
    "get_item",
    "query",
    "scan",
    "batch_write_item",
    "batch_get_item",
):
    if hasattr(ddb.DynamoDBBackend, _name):
        setattr(ddb.DynamoDBBackend, _name, _serialized(getattr(ddb.DynamoDBBackend, _name)))

# 5. Update expressions (speed). Each update validates a fresh copy of the
# expression's AST, made with `copy.deepcopy` (a fifth of a transaction's
# time), and parses the same expression text again for every item. Here the
# parse of a text is kept (the validator still works on its own copy) and the
# copy is made with pickle, several times faster for these plain node trees;
# a tree pickle cannot handle falls back to deepcopy.
import functools
import pickle

import moto.dynamodb.parsing.validators as ddb_validators
from moto.dynamodb.parsing.expressions import UpdateExpressionParser


def _fast_copy(value, memo=None):
    try:
        return pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:
        return _real_copy.deepcopy(value, memo)


ddb_validators.deepcopy = _fast_copy
_original_make = UpdateExpressionParser.make.__func__


@functools.lru_cache(maxsize=4096)
def _parsed(cls, expression):
    return _original_make(cls, expression)


def _make(cls, expression):
    # Callers get their own copy: validators and executors must never share nodes.
    return _fast_copy(_parsed(cls, expression))


UpdateExpressionParser.make = classmethod(_make)

if __name__ == "__main__":
    main(sys.argv[1:])
