"""Starts moto server with twelve performance fixes and two correctness fixes.

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


# 6. Plain updates (speed). moto validates every update with a chain of
# visitors over the expression's AST (each a full traversal with isinstance
# checks) and reads the placeholders again in the request layer: ~7 ms per
# action, most of a transaction's time. An update made only of
# `ADD #name :number`, `SET #name = :value` and
# `SET #name = if_not_exists(#name, :value)` — what our ingest sends — is
# applied here directly, with moto's own number arithmetic and item-size
# check. Anything else (other clauses or functions, plain or nested paths,
# undefined placeholders, overlapping or key attributes, non-number ADDs,
# values other than S/N) goes through moto's validator and executor
# unchanged, so moto raises its own errors. scripts/test_moto_server.py
# compares both paths on generated updates.
import re

import moto.dynamodb.responses as ddb_responses
from moto.backends import list_of_moto_modules as _list_of_moto_modules
from moto.dynamodb.exceptions import ItemSizeTooLarge
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.utilities import bytesize
from moto.dynamodb.parsing.executors import UpdateExpressionExecutor as _RealExecutor
from moto.dynamodb.parsing.validators import UpdateExpressionValidator as _RealValidator
import moto.backends as moto_backends

_PLACEHOLDER = r"#[A-Za-z0-9_]+"
_VALUE = r":[A-Za-z0-9_]+"
_ADD_ACTION = re.compile(rf"\s*({_PLACEHOLDER})\s+({_VALUE})\s*")
_SET_ACTION = re.compile(
    rf"\s*({_PLACEHOLDER})\s*=\s*(?:({_VALUE})|if_not_exists\s*\(\s*({_PLACEHOLDER})\s*,\s*({_VALUE})\s*\))\s*"
)
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_CLAUSE = re.compile(r"\b(ADD|SET|REMOVE|DELETE)\b", re.IGNORECASE)


def _actions(pattern, body):
    """The actions of one clause body, or None unless all of it is plain."""
    out, pos = [], 0
    while True:
        m = pattern.match(body, pos)
        if not m:
            return None
        out.append(m.groups())
        pos = m.end()
        if pos == len(body):
            return out
        if body[pos] != ",":
            return None
        pos += 1


@functools.lru_cache(maxsize=4096)
def _plain(expression):
    """The actions of an update made only of plain actions, in moto's order
    (the text's), as (name placeholder, value placeholder, op); else None."""
    parts = _CLAUSE.split(expression)
    if parts[0].strip():
        return None
    seen, steps = set(), []
    for keyword, body in zip(parts[1::2], parts[2::2]):
        keyword = keyword.upper()
        if keyword not in ("ADD", "SET") or keyword in seen:
            return None
        seen.add(keyword)
        if keyword == "ADD":
            actions = _actions(_ADD_ACTION, body)
            if actions is None:
                return None
            steps += [(name, value, "add") for name, value in actions]
            continue
        actions = _actions(_SET_ACTION, body)
        if actions is None:
            return None
        for name, value, inner_name, inner_value in actions:
            if value is not None:
                steps.append((name, value, "set"))
            elif inner_name == name:
                steps.append((name, inner_value, "if_not_exists"))
            else:
                return None
    return tuple(steps) or None


class _PlainAst:
    """What `make` returns to the backend for a plain update."""

    def __init__(self, expression, actions):
        self.expression = expression
        self.actions = actions

    def real(self):
        return _fast_copy(_parsed(UpdateExpressionParser, self.expression))


class _PlainUpdate:
    """A validated plain update: (attribute name, DynamoType value, op)."""

    def __init__(self, steps):
        self.steps = steps

    def normalize(self):
        pass


def _resolve_plain(ast, names, values, item, table):
    """The plain update's steps, or None when moto must judge it."""
    names = names or {}
    values = values or {}
    keys = {table.hash_key_attr, table.range_key_attr}
    steps, seen = [], set()
    for name_ph, value_ph, op in ast.actions:
        name = names.get(name_ph)
        raw = values.get(value_ph)
        if not isinstance(name, str) or not isinstance(raw, dict) or len(raw) != 1:
            return None
        # A placeholder's name is one attribute, dots and brackets included.
        if name in seen or name in keys:
            return None
        seen.add(name)
        (kind, inner), = raw.items()
        if kind not in ("S", "N") or not isinstance(inner, str):
            return None
        if kind == "N" and not _NUMBER.fullmatch(inner):
            return None
        if op == "add":
            current = item.attrs.get(name) if item is not None else None
            if kind != "N" or (current is not None and current.type != "N"):
                return None
        steps.append((name, DynamoType(raw), op))
    return _PlainUpdate(steps)


class _Validator:
    """`UpdateExpressionValidator` with the plain fast path in front."""

    def __init__(self, ast, expression_attribute_names, expression_attribute_values, item, table):
        self.args = (ast, expression_attribute_names, expression_attribute_values, item, table)

    def validate(self):
        ast, names, values, item, table = self.args
        if isinstance(ast, _PlainAst):
            plain = _resolve_plain(ast, names, values, item, table)
            if plain is not None:
                return plain
            ast = ast.real()
        return _RealValidator(
            ast,
            expression_attribute_names=names,
            expression_attribute_values=values,
            item=item,
            table=table,
        ).validate()


_ZERO = DynamoType({"N": "0"})


class _Executor:
    """`UpdateExpressionExecutor` that also applies plain updates."""

    def __init__(self, update_ast, item, expression_attribute_names):
        self.args = (update_ast, item, expression_attribute_names)

    def execute(self):
        update_ast, item, names = self.args
        if not isinstance(update_ast, _PlainUpdate):
            return _RealExecutor(update_ast, item, names).execute()
        attrs = item.attrs
        # moto's item-size check (`LimitedSizeDict.__setitem__`) sums the whole
        # item on every attribute set; the same sum, kept as the steps go.
        size = sum(_size(k) + _size(v) for k, v in attrs.items())
        for name, value, op in update_ast.steps:
            current = attrs.get(name)
            if op == "add":
                # moto adds to 0 when absent (its number normalisation, its errors)
                value = (current if current is not None else _ZERO) + value
            elif current is not None and op == "if_not_exists":
                continue
            if size + _size(name) + _size(value) > 405000:
                raise ItemSizeTooLarge
            if current is None:
                size += _size(name) + _size(value)
            else:
                size += _size(value) - _size(current)
            dict.__setitem__(attrs, name, value)
        return None


def _size(value):
    """An attribute name's or value's size as LimitedSizeDict counts it."""
    return value.size() if type(value) is DynamoType else bytesize(str(value))


class _BackendParser:
    """`UpdateExpressionParser` as the backend sees it."""

    @staticmethod
    def make(expression):
        actions = _plain(expression)
        if actions is not None:
            _parsed(UpdateExpressionParser, expression)  # moto's syntax errors, as before
            return _PlainAst(expression, actions)
        return _make(UpdateExpressionParser, expression)


class _ReadOnlyAst:
    """The request layer only lists an expression's placeholders: it gets the
    shared parse, with the lists kept per expression."""

    def __init__(self, expression):
        self.expression = expression

    def find_clauses(self, node_types):
        return list(_clauses(self.expression, tuple(node_types)))


@functools.lru_cache(maxsize=4096)
def _clauses(expression, node_types):
    return tuple(_parsed(UpdateExpressionParser, expression).find_clauses(list(node_types)))


class _RequestParser:
    @staticmethod
    def make(expression):
        _parsed(UpdateExpressionParser, expression)
        return _ReadOnlyAst(expression)


ddb.UpdateExpressionParser = _BackendParser
ddb.UpdateExpressionValidator = _Validator
ddb.UpdateExpressionExecutor = _Executor
ddb_responses.UpdateExpressionParser = _RequestParser

# 7. Request routing (speed). Every request lists moto's service folders on
# disk (an isdir per service) to find its backend; the list never changes
# while the server runs.
_modules = tuple(_list_of_moto_modules())
moto_backends.list_of_moto_modules = lambda: _modules

# 8. SQS visibility (speed). `Queue.messages` and the in-flight count read
# the clock twice per message of the queue (a datetime built each time) on
# every receive and attribute read. Here the clock is read once per call; the
# comparisons are moto's (visible: now > visible_at; delayed: now <
# delayed_until).
from moto.core.utils import unix_time_millis


def _visible_messages(self):
    now = unix_time_millis()
    return [m for m in self._messages if now > m.visible_at and not now < m.delayed_until]


def _not_visible_count(self):
    now = unix_time_millis()
    return sum(1 for m in self._messages if not now > m.visible_at)


sqs_models.Queue.messages = property(_visible_messages)
sqs_models.Queue.approximate_number_of_messages_not_visible = property(_not_visible_count)

# 9. Request log (speed). werkzeug writes a line per request (~6% of a busy
# run); kept only with MOTO_REQUEST_LOG=1. Errors are still logged.
import logging
import os

if os.environ.get("MOTO_REQUEST_LOG") != "1":
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

# 10. Condition lexing (speed). A condition's text is split into tokens on
# every request, its regular expressions compiled each time (a fifth of a busy
# run's DynamoDB time once every customer update carries guards). The tokens
# depend on the text alone and are never mutated (later passes build new
# nodes): here they are kept per text. Names and values are resolved per
# request by moto's own passes, as before; a text that fails to lex is not
# kept and fails again the same way.
from collections import deque

from moto.dynamodb.comparisons import ConditionExpressionParser

_RealLex = ConditionExpressionParser._lex_condition_expression


@functools.lru_cache(maxsize=8192)
def _lexed(text):
    return tuple(_RealLex(ConditionExpressionParser(text, None, None)))


def _lex_condition_expression(self):
    return deque(_lexed(self.condition_expression))


ConditionExpressionParser._lex_condition_expression = _lex_condition_expression

# 11. SQS deletes (correctness). `Queue.delete_message` rebuilds the queue's
# message list and assigns it back without the queue's lock, which sends hold:
# a message sent, or deleted by another request, meanwhile was lost or came
# back (with several pollers on one queue, deleted messages reappeared 30 s
# later, after their visibility timeout). Here a delete holds the same lock.
_RealDeleteMessage = sqs_models.Queue.delete_message


def _delete_message(self, receipt_handle):
    with self._messages_lock:
        return _RealDeleteMessage(self, receipt_handle)


sqs_models.Queue.delete_message = _delete_message

# 12. Update item copies (speed). `update_item` deep-copies the item before
# every update (a quarter of a transaction's time), and uses the copy only as
# the old image of a DynamoDB Streams record. Here the copy is made only when
# the table has a stream; without one nothing reads it.
from moto.dynamodb.models.dynamo_type import Item as _Item

_stream_less = threading.local()
_RealUpdateItem = ddb.DynamoDBBackend.update_item


def _update_item(self, table_name, *args, **kwargs):
    table = self.get_table(table_name)
    _stream_less.active = table.stream_shard is None
    try:
        return _RealUpdateItem(self, table_name, *args, **kwargs)
    finally:
        _stream_less.active = False


ddb.DynamoDBBackend.update_item = _update_item


class _NoStreamlessItemCopy(_NoTableCopy):
    """Fix 1's `copy` stand-in, which also hands `update_item` its item
    itself (not a copy) while the table has no stream."""

    @staticmethod
    def deepcopy(value, memo=None):
        if isinstance(value, _Item) and getattr(_stream_less, "active", False):
            return value
        return _NoTableCopy.deepcopy(value, memo)


ddb.copy = _NoStreamlessItemCopy()

# 13. Request parsing (speed). moto parses every JSON request against the
# service model node by node: per node a handler looked up by name, per
# structure every member of the model tried (ten per DynamoDB attribute
# value), ~2.5 ms per 100-action transaction. Here each shape gets its parse
# once, as closures, lazily (attribute values nest): the same members in the
# same order, the same `None` handling, moto's own handlers for every leaf
# (blobs, timestamps, numbers), so the result is moto's. A parser whose
# structure, list, map or default handling differs from moto's JSON parser
# keeps moto's path. scripts/test_moto_server.py compares both on requests
# generated from the service models.
import moto.core.parse as moto_parse

_RealParseJsonBody = moto_parse.JSONParser._parse_json_body
_GENERIC = (
    ("_parse_shape", moto_parse.RequestParser._parse_shape),
    ("_parse_structure", moto_parse.BaseJSONParser._parse_structure),
    ("_parse_list", moto_parse.RequestParser._parse_list),
    ("_parse_map", moto_parse.RequestParser._parse_map),
    ("_default_handle", moto_parse.RequestParser._default_handle),
)
_compiled = {}


def _compile(cls, shape):
    """`(parser, value) -> parsed` for `shape`, or None where moto's parse
    is the value itself (`_default_handle`)."""
    hit = _compiled.get((cls, id(shape)))
    if hit is not None:
        return hit[1]
    kind = shape.type_name
    if kind == "structure":
        fn = _structure(cls, shape)
    elif kind == "list":
        fn = _list(cls, shape)
    elif kind == "map":
        fn = _map(cls, shape)
    else:
        handler = getattr(cls, f"_parse_{kind}", None)
        fn = None if handler is None else (lambda p, v, h=handler, s=shape: h(p, s, v))
    # The shape is kept alive with its parse, so its id is never reused.
    _compiled[(cls, id(shape))] = (shape, fn)
    return fn


def _structure(cls, shape):
    if shape.is_document_type:
        return lambda p, value: value
    # Compiled on first use, assigned whole (requests run on several threads).
    compiled = None

    def parse(p, value):
        nonlocal compiled
        if compiled is None:
            listed = [
                (m.serialization.get("name", name), name, _compile(cls, m))
                for name, m in shape.members.items()
            ]
            compiled = (listed, {json_name: (name, fn) for json_name, name, fn in listed})
        members, by_json = compiled
        if value is None:
            return None
        out = p.MAP_TYPE()
        if type(value) is dict and len(value) == 1:
            # One member given (every attribute value): no other to try.
            ((json_name, raw),) = value.items()
            member = by_json.get(json_name)
            if member is not None and raw is not None:
                name, fn = member
                out[name] = raw if fn is None else fn(p, raw)
            return out
        get = value.get
        for json_name, name, fn in members:
            raw = get(json_name)
            if raw is not None:
                out[name] = raw if fn is None else fn(p, raw)
        return out

    return parse


_UNSET = object()


def _list(cls, shape):
    member = _UNSET

    def parse(p, node):
        nonlocal member
        if member is _UNSET:
            member = _compile(cls, shape.member)
        fn = member
        if fn is None:
            return [item for item in node]
        return [fn(p, item) for item in node]

    return parse


def _map(cls, shape):
    parts = None

    def parse(p, value):
        nonlocal parts
        if parts is None:
            parts = (_compile(cls, shape.key), _compile(cls, shape.value))
        key_fn, value_fn = parts
        out = p.MAP_TYPE()
        for k, v in value.items():
            out[k if key_fn is None else key_fn(p, k)] = v if value_fn is None else value_fn(p, v)
        return out

    return parse


def _parse_json_body(self, raw_body, shape):
    cls = type(self)
    if any(getattr(cls, name) is not generic for name, generic in _GENERIC):
        return _RealParseJsonBody(self, raw_body, shape)
    parsed_json = self._parse_body_as_json(raw_body)
    fn = _compile(cls, shape)
    return parsed_json if fn is None else fn(self, parsed_json)


moto_parse.JSONParser._parse_json_body = _parse_json_body

# 14. Condition parsing (speed). Every condition runs six passes over its
# tokens per request (paths, functions, comparators, IN, BETWEEN, parentheses
# and booleans): a quarter of a spread ingest's emulator time once requests
# parse fast. The tree those passes build depends on the text alone: names
# and values only fill its leaves (a missing one raises in moto's first
# pass). Here the tree is kept per text and its leaves filled per request;
# moto's own `_make_op_condition` builds the condition from it. A text's tree
# is kept only if the condition it makes equals moto's own parse of the same
# request (so a moto whose passes differ keeps its own path); a request
# missing a placeholder, and any text that fails, take moto's path.
_RealConditionParse = ConditionExpressionParser.parse
_Kind = ConditionExpressionParser.Kind
_Nonterminal = ConditionExpressionParser.Nonterminal
_condition_trees = {}


def _condition_tree(parser):
    """moto's `parse` up to the tree it makes the condition from."""
    nodes = parser._lex_condition_expression()
    nodes = parser._parse_paths(nodes)
    nodes = parser._apply_functions(nodes)
    nodes = parser._apply_comparator(nodes)
    nodes = parser._apply_in(nodes)
    nodes = parser._apply_between(nodes)
    nodes = parser._apply_parens_and_booleans(nodes)
    node = nodes[0]
    parser._assert_no_redundant_parentheses(node)
    return node


def _placeholders(node, names, values):
    if node.kind == _Kind.EXPRESSION_ATTRIBUTE_VALUE:
        values.add(node.text)
    elif node.nonterminal == _Nonterminal.IDENTIFIER and node.text.startswith("#"):
        names.add(node.text)
    for child in node.children:
        _placeholders(child, names, values)


def _filled(node, names, values):
    if node.kind == _Kind.EXPRESSION_ATTRIBUTE_VALUE:
        return node._replace(value=values[node.text])
    if node.nonterminal == _Nonterminal.IDENTIFIER and node.text.startswith("#"):
        return node._replace(value=names[node.text])
    if not node.children:
        return node
    return node._replace(children=[_filled(c, names, values) for c in node.children])


def _same(a, b):
    """Same classes and the same attributes, all the way down."""
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if hasattr(a, "__dict__"):
        return _same(vars(a), vars(b))
    return a == b


def _made(parser, node):
    parser.expr_attr_names_found.extend(parser._find_literals(node))
    parser.expr_attr_values_found.extend(parser._find_expr_attr_values(node))
    return parser._make_op_condition(node)


def _condition_parse(self):
    text = self.condition_expression
    names = self.expression_attribute_names
    values = self.expression_attribute_values
    if not text:
        return _RealConditionParse(self)
    kept = _condition_trees.get(text)
    if kept is None:
        try:
            tree = _condition_tree(ConditionExpressionParser(text, names, values))
            ours = _made(ConditionExpressionParser(text, names, values), tree)
            theirs = _RealConditionParse(ConditionExpressionParser(text, names, values))
        except Exception:
            return _RealConditionParse(self)
        if not _same(ours, theirs):
            return _RealConditionParse(self)
        used_names, used_values = set(), set()
        _placeholders(tree, used_names, used_values)
        if len(_condition_trees) >= 8192:
            _condition_trees.clear()
        kept = _condition_trees[text] = (tree, used_names, used_values)
    tree, used_names, used_values = kept
    if (used_names and (names is None or not used_names <= names.keys())) or (
        used_values and (values is None or not used_values <= values.keys())
    ):
        return _RealConditionParse(self)
    return _made(self, _filled(tree, names, values))


ConditionExpressionParser.parse = _condition_parse

if __name__ == "__main__":
    main(sys.argv[1:])
