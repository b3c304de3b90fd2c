"""Differential test of the emulator launcher's update fast path and its
condition lexing and parse caches; and checks of its SQS delete fix and of the stream
images its skipped item copies must not change; and of its JSON request
parse against moto's own on requests generated from the service models
(below).

Generates updates the way clients write them — plain `ADD`/`SET`/
`if_not_exists` actions (ours) mixed with everything the fast path must hand
back to moto (REMOVE, nested paths, arithmetic, list_append, undefined or
unused placeholders, key attributes, overlapping paths, ADD on strings or
sets, malformed numbers, syntax errors), half of them with a generated
condition (functions, comparisons, BETWEEN/IN, AND/OR/NOT, parentheses,
nested paths, syntax errors; the same texts recur with other names and
values) — against generated stored items,
and runs each one twice through boto3 on the in-process emulator: once with
the launcher's patches, once with moto's own parser, validator and executor
restored (and its condition lexer and parse). The oracle is moto itself: both runs must leave the same item and
raise the same error (code and message).

Usage: .venv/bin/python scripts/test_moto_server.py [cases [seed]]   (default 3000)
"""

import base64
import importlib.util
import json
import os
import random
import sys
from collections.abc import Mapping

import boto3
from botocore.exceptions import ClientError
from moto import mock_aws

# In-process only: an endpoint set for the Rust tests would send boto3 past moto's mock.
for _var in [v for v in os.environ if v.startswith("AWS_ENDPOINT_URL")]:
    del os.environ[_var]
os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("moto_server", os.path.join(HERE, "moto_server.py"))
launcher = importlib.util.module_from_spec(spec)
spec.loader.exec_module(launcher)  # applies the patches; does not start a server

ddb = launcher.ddb
CONDITIONS = launcher.ConditionExpressionParser
PATCHED = (ddb.UpdateExpressionParser, ddb.UpdateExpressionValidator, ddb.UpdateExpressionExecutor,
           launcher.ddb_responses.UpdateExpressionParser, CONDITIONS._lex_condition_expression,
           CONDITIONS.parse)
ORIGINAL = (launcher.UpdateExpressionParser, launcher._RealValidator, launcher._RealExecutor,
            launcher.UpdateExpressionParser, launcher._RealLex, launcher._RealConditionParse)


applied = 0
_execute = launcher._Executor.execute


def _counting_execute(self):
    """The launcher's own executor, counting the updates it applies itself."""
    global applied
    applied += isinstance(self.args[0], launcher._PlainUpdate)
    return _execute(self)


launcher._Executor.execute = _counting_execute


def use(parts):
    (ddb.UpdateExpressionParser, ddb.UpdateExpressionValidator, ddb.UpdateExpressionExecutor,
     launcher.ddb_responses.UpdateExpressionParser, CONDITIONS._lex_condition_expression,
     CONDITIONS.parse) = parts


ATTRS = ["count", "spend", "name", "wd3", "tier#GA", "rf.$#INR", "x[0]", "lastAt", "nested"]
NUMBERS = ["1", "-3", "0", "2.5", "-0.125", "12345678901234567890", "1e3", "7.", ".5"]
BAD_NUMBERS = ["abc", "1..2", "", "--1"]


def stored_value(rng):
    kind = rng.random()
    if kind < 0.5:
        return {"N": rng.choice(NUMBERS[:6])}
    if kind < 0.75:
        return {"S": rng.choice(["x", "", "2026-12-05T10:00:00.000Z"])}
    if kind < 0.85:
        return {"SS": ["a", "b"]}
    if kind < 0.95:
        return {"M": {"a": {"N": "1"}}}
    return {"L": [{"N": "1"}]}


KEY = {"pk": {"S": "p"}, "sk": {"S": "s"}}


def stored_item(rng):
    item = dict(KEY)
    if rng.random() < 0.3:
        return None
    for a in rng.sample(ATTRS, rng.randint(0, len(ATTRS))):
        item[a] = stored_value(rng)
    if rng.random() < 0.1:
        item["blob"] = {"S": "x" * 404_000}  # next to the 400 KB limit
    return item


def value(rng):
    r = rng.random()
    if r < 0.6:
        return {"N": rng.choice(NUMBERS)}
    if r < 0.85:
        return {"S": rng.choice(["v", "", "2026-12-04T09:00:00.000Z", "y" * 2000])}
    if r < 0.9:
        return {"N": rng.choice(BAD_NUMBERS)}
    if r < 0.95:
        return {"SS": ["c"]}
    return {"BOOL": True}


def update(rng):
    """(expression, names, values): mostly plain, sometimes anything else."""
    names, values, adds, sets, others = {}, {}, [], [], []

    def name_ph(attr=None):
        attr = attr or rng.choice(ATTRS + ["pk"] * (rng.random() < 0.05))
        ph = f"#n{len(names)}"
        names[ph] = attr
        return ph

    def value_ph():
        ph = f":v{len(values)}"
        values[ph] = value(rng)
        return ph

    for _ in range(rng.randint(1, 6)):
        r = rng.random()
        if r < 0.4:
            adds.append(f"{name_ph()} {value_ph()}")
        elif r < 0.65:
            sets.append(f"{name_ph()} = {value_ph()}")
        elif r < 0.85:
            n = name_ph()
            inner = n if rng.random() < 0.9 else name_ph()
            sets.append(f"{n} = if_not_exists({inner}, {value_ph()})")
        else:
            choice = rng.randrange(7)
            if choice == 0:
                others.append(("REMOVE", name_ph()))
            elif choice == 1:
                sets.append(f"{name_ph()} = {name_ph()} + {value_ph()}")
            elif choice == 2:
                sets.append(f"#nested.a = {value_ph()}")
                names["#nested"] = "nested"
            elif choice == 3:
                adds.append(f"{name_ph()} :undefined")
            elif choice == 4:
                sets.append(f"plain = {value_ph()}")
            elif choice == 5:
                sets.append(f"{name_ph()} = list_append({name_ph()}, {value_ph()})")
            else:
                others.append(("DELETE", f"{name_ph()} {value_ph()}"))
    parts = []
    if adds:
        parts.append("ADD " + ", ".join(adds))
    if sets:
        parts.append("SET " + ", ".join(sets))
    for keyword, action in others:
        parts.append(f"{keyword} {action}")
    rng.shuffle(parts)
    expression = " ".join(parts)
    if rng.random() < 0.03:
        expression = expression.replace(",", ",,", 1) or "SET"
    if rng.random() < 0.03:
        names["#unused"] = "zzz"
    condition = condition_of(rng, names, name_ph, value_ph) if rng.random() < 0.5 else None
    return expression, names, values, condition


def condition_of(rng, names, name_ph, value_ph):
    """A condition over the update's placeholders, now and then malformed."""
    forms = [
        lambda n: f"attribute_not_exists({n})",
        lambda n: f"attribute_exists({n})",
        lambda n: f"{n} {rng.choice(['<', '<=', '=', '<>', '>=', '>'])} {value_ph()}",
        lambda n: f"size({n}) > {value_ph()}",
        lambda n: f"begins_with({n}, {value_ph()})",
        lambda n: f"contains({n}, {value_ph()})",
        lambda n: f"{n} BETWEEN {value_ph()} AND {value_ph()}",
        lambda n: f"{n} IN ({value_ph()}, {value_ph()})",
        lambda n: f"attribute_type({n}, {value_ph()})",
    ]

    def clause(depth):
        r = rng.random()
        if depth < 2 and r < 0.25:
            op = rng.choice([" AND ", " OR ", " and ", " Or "])
            return f"({clause(depth + 1)}{op}{clause(depth + 1)})"
        if depth < 2 and r < 0.32:
            return f"NOT {clause(depth + 1)}"
        n = name_ph() if rng.random() < 0.9 else rng.choice(["plain", "#nested.a", "#nested.b[0]"])
        if n.startswith("#nested"):
            names["#nested"] = "nested"
        return rng.choice(forms)(n)

    text = clause(0)
    r = rng.random()
    if r < 0.02:
        text = text + ")"
    elif r < 0.04:
        text = "(" + text
    elif r < 0.06:
        text = text + " AND AND " + clause(1)
    elif r < 0.08:
        text = text.replace("(", " ( ", 1) + " !"
    return text


def run(client, table, item, expr, names, values, condition, transact):
    if item is not None:
        client.put_item(TableName=table, Item=item)
    else:
        client.delete_item(TableName=table, Key=KEY)
    args = {"TableName": table, "Key": KEY, "UpdateExpression": expr}
    if condition is not None:
        args["ConditionExpression"] = condition
    if names:
        args["ExpressionAttributeNames"] = names
    if values:
        args["ExpressionAttributeValues"] = values
    try:
        if transact:
            client.transact_write_items(TransactItems=[{"Update": args}])
        else:
            client.update_item(**args)
        error = None
    except ClientError as e:
        error = (e.response["Error"]["Code"], e.response["Error"]["Message"])
    except Exception as e:  # moto's own crashes (e.g. ADD of "1e3") must match too
        error = (type(e).__name__, str(e))
    after = client.get_item(TableName=table, Key=KEY).get("Item")
    return error, after


def main():
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 20261205)
    errors = {}
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        for t in ("fast", "moto"):
            client.create_table(
                TableName=t,
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                           {"AttributeName": "sk", "KeyType": "RANGE"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                      {"AttributeName": "sk", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
        for case in range(cases):
            item = stored_item(rng)
            expr, names, values, condition = update(rng)
            transact = rng.random() < 0.5
            use(PATCHED)
            fast = run(client, "fast", item, expr, names, values, condition, transact)
            use(ORIGINAL)
            try:
                reference = run(client, "moto", item, expr, names, values, condition, transact)
            finally:
                use(PATCHED)
            if fast[0] is not None:
                key = fast[0][1].split(":")[0][:60] if fast[0][0] == "ValidationException" else fast[0][0]
                errors[key] = errors.get(key, 0) + 1
            if fast != reference:
                print(f"case {case}: {expr!r} if {condition!r} names={names} values={values}")
                print(f"  stored:    {item}")
                print(f"  fast path: {fast}")
                print(f"  moto:      {reference}")
                sys.exit(1)
    print(f"emulator launcher: {cases} generated updates, same item and error as moto's own path "
          f"({applied} applied by the fast path)")
    for e, n in sorted(errors.items(), key=lambda x: -x[1]):
        print(f"  {n:5} raised {e}")


def sqs_deletes(messages=3000, workers=4):
    """Concurrent sends, receives and deletes on one queue (the launcher's
    SQS delete fix): every message sent is received, and none comes back
    after its delete."""
    import threading

    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="deletes", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
        received, lock, done = set(), threading.Lock(), threading.Event()

        def produce():
            for start in range(0, messages, 10):
                sqs.send_message_batch(QueueUrl=url, Entries=[
                    {"Id": str(i), "MessageBody": f"m{start + i}"} for i in range(10)])
            done.set()

        def consume():
            while True:
                got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
                if not got:
                    if done.is_set():
                        return
                    continue
                with lock:
                    received.update(m["Body"] for m in got)
                sqs.delete_message_batch(QueueUrl=url, Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)])

        threads = [threading.Thread(target=produce)] + [threading.Thread(target=consume) for _ in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        left = int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])
        lost = messages - len(received)
        if lost or left:
            print(f"SQS: {lost} of {messages} messages never received, {left} deleted ones back in the queue")
            sys.exit(1)
        print(f"SQS: {messages} messages sent, received and deleted by {workers} consumers at once; none lost or back")


def _stream_records():
    """Three updates (one in a transaction) of a table with a stream: its
    records as (event, old image, new image)."""
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        arn = client.create_table(
            TableName="streamed",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )["TableDescription"]["LatestStreamArn"]
        for n in range(3):
            update = {"TableName": "streamed", "Key": {"pk": {"S": "a"}},
                      "UpdateExpression": "ADD #c :one SET #l = :n",
                      "ExpressionAttributeNames": {"#c": "count", "#l": "last"},
                      "ExpressionAttributeValues": {":one": {"N": "1"}, ":n": {"S": f"u{n}"}}}
            if n == 1:
                client.transact_write_items(TransactItems=[{"Update": update}])
            else:
                client.update_item(**update)
        streams = boto3.client("dynamodbstreams", region_name="us-east-1")
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        return [(r["eventName"], r["dynamodb"].get("OldImage"), r["dynamodb"].get("NewImage"))
                for r in streams.get_records(ShardIterator=it)["Records"]]


def stream_images():
    """The launcher skips `update_item`'s copy of the old item on tables
    without a stream; a table with one must get the same records as with
    the copy always made (moto's own behaviour)."""
    ours = _stream_records()
    ddb.copy = launcher._NoTableCopy()
    try:
        reference = _stream_records()
    finally:
        ddb.copy = launcher._NoStreamlessItemCopy()
    modified = [r for r in ours if r[0] == "MODIFY"]
    if ours != reference or len(modified) != 2:
        print(f"stream records differ:\n  launcher: {ours}\n  moto:     {reference}")
        sys.exit(1)
    print(f"streams: {len(ours)} records with the same old and new images as moto's own copy")


def _generated(rng, shape, depth=0):
    """A JSON value for `shape` as a client (or a careless one) sends it."""
    kind = shape.type_name
    if depth > 6 or rng.random() < 0.03:
        return None
    if kind == "structure":
        out = {}
        for name, member in shape.members.items():
            if rng.random() < (0.9 if len(shape.members) < 4 else 0.35):
                out[member.serialization.get("name", name)] = _generated(rng, member, depth + 1)
        if rng.random() < 0.1:
            out["Unmodelled"] = "x"
        return out
    if kind == "list":
        return [_generated(rng, shape.member, depth + 1) for _ in range(rng.randrange(4))]
    if kind == "map":
        return {f"k{i}": _generated(rng, shape.value, depth + 1) for i in range(rng.randrange(4))}
    if kind == "blob":
        return base64.b64encode(bytes(rng.randrange(256) for _ in range(rng.randrange(8)))).decode()
    if kind == "timestamp":
        return rng.choice([1764950400, 1764950400.25, "2026-12-05T19:00:00Z"])
    if kind in ("integer", "long", "short", "byte"):
        return rng.choice([0, 7, -3, 2**40, "12"])
    if kind in ("float", "double"):
        return rng.choice([0.5, 3, "2.25"])
    if kind == "boolean":
        return rng.random() < 0.5
    return rng.choice(["", "a", "v#venue-1#1m", "zoë|:/", "1"])


def _canonical(value):
    """Types, keys in order, and values: what the two parses must share."""
    if isinstance(value, Mapping):
        return (type(value).__name__, [(k, _canonical(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_canonical(v) for v in value])
    return (type(value).__name__, value)


def request_parsing(requests=3000, seed=20261205):
    """The launcher's JSON request parse (fix 13) against moto's own, on
    requests generated from the service models of the JSON services we use:
    the same parameters, in the same order (compared by repr), or the same error."""
    from moto.core.parse import PROTOCOL_PARSERS
    from moto.core.responses import get_service_model
    import moto.core.parse as moto_parse

    rng = random.Random(seed)
    ops = []
    for service in ("dynamodb", "sqs", "timestream-write", "logs"):
        model = get_service_model(service)
        ops += [(model, model.operation_model(name)) for name in model.operation_names]

    def parsed(op, body, fn, map_type):
        moto_parse.JSONParser._parse_json_body = fn
        try:
            parser = PROTOCOL_PARSERS["json"](op, map_type=map_type)
            return repr(_canonical(parser.parse({"method": "POST", "values": {}, "headers": {}, "body": body,
                                      "url_path": "/", "url_params": {}})))
        except Exception as e:
            return f"{type(e).__name__}: {e}"
        finally:
            moto_parse.JSONParser._parse_json_body = launcher._parse_json_body

    errors = 0
    for case in range(requests):
        model, op = rng.choice(ops)
        if op.input_shape is None:
            continue
        body = json.dumps(_generated(rng, op.input_shape)).encode()
        map_type = rng.choice([dict, moto_parse.XFormedDict])
        fast = parsed(op, body, launcher._parse_json_body, map_type)
        reference = parsed(op, body, launcher._RealParseJsonBody, map_type)
        errors += not fast.startswith("(")
        if fast != reference:
            print(f"request {case}: {model.service_name} {op.name} {body[:300]!r}")
            print(f"  launcher: {fast[:400]}")
            print(f"  moto:     {reference[:400]}")
            sys.exit(1)
    print(f"request parsing: {requests} generated requests of {len(ops)} operations, same parameters "
          f"as moto's own parse ({errors} raised the same error)")


if __name__ == "__main__":
    main()
    sqs_deletes()
    stream_images()
    request_parsing()
