"""AWS wire formats for the emulator, driven by botocore's service models.

Responses are rendered shape by shape from the operation's output model, so a
fixture field the model does not have is an error (a misspelt fixture fails
loudly), and what the SDK parses is what AWS would have sent.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import unquote
from xml.sax.saxutils import escape

import botocore.session
from botocore.model import OperationModel, Shape


class FixtureError(ValueError):
    """A fixture does not fit the service model."""


@lru_cache(maxsize=32)
def operation(service: str, name: str) -> OperationModel:
    model = botocore.session.get_session().get_service_model(service)
    return model.operation_model(name)


@lru_cache(maxsize=32)
def _rest_routes(service: str) -> list[tuple[str, re.Pattern[str], OperationModel]]:
    """(method, path pattern, operation) of every operation of a REST service."""
    model = botocore.session.get_session().get_service_model(service)
    if model.protocol not in ("rest-json", "rest-xml"):
        return []
    routes = []
    for name in model.operation_names:
        op = model.operation_model(name)
        path = op.http["requestUri"].split("?", 1)[0]
        pattern = re.sub(
            r"\\\{(\w+)(\\\+)?\\\}",
            lambda m: f"(?P<{m[1]}>{'.+' if m[2] else '[^/]+'})",
            re.escape(path),
        )
        routes.append((op.http["method"], re.compile(pattern), op))
    return routes


def rest_route(
    service: str, method: str, path: str, query: dict[str, list[str]]
) -> tuple[str, dict[str, Any]] | None:
    """The operation a REST request names and its parameters by member name
    (path labels, then query strings), or None for a service that is not REST."""
    try:
        routes = _rest_routes(service)
    except Exception:  # a service botocore does not know
        return None
    for verb, pattern, op in routes:
        m = pattern.fullmatch(path.split("?", 1)[0])
        if verb != method or m is None:
            continue
        members = op.input_shape.members if op.input_shape else {}
        # a path label may differ from its member's name (Route 53's {Id} is HostedZoneId)
        labels = {
            shape.serialization.get("name", member): member
            for member, shape in members.items()
            if shape.serialization.get("location") == "uri"
        }
        params: dict[str, Any] = {labels.get(k, k): unquote(v) for k, v in m.groupdict().items()}
        for member, shape in members.items():
            where = shape.serialization
            if where.get("location") == "querystring" and where.get("name") in query:
                params[member] = query[where["name"]][0]
        return op.name, params
    return None


def _ts(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _check_members(shape: Shape, value: Any, path: str) -> None:
    """A fixture's structure is an object holding only members the model has."""
    if not isinstance(value, dict):
        raise FixtureError(f"{path}: expected an object for {shape.name}")
    unknown = set(value) - set(shape.members)
    if unknown:
        raise FixtureError(f"{path}: {shape.name} has no member {sorted(unknown)[0]!r}")


def to_json(shape: Shape, value: Any, path: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        _check_members(shape, value, path)
        return {k: to_json(shape.members[k], v, f"{path}.{k}") for k, v in value.items()}
    if kind == "list":
        return [to_json(shape.member, v, f"{path}[]") for v in value]
    if kind == "map":
        return {str(k): to_json(shape.value, v, f"{path}.{k}") for k, v in value.items()}
    if kind == "timestamp":
        if shape.serialization.get("timestampFormat") == "iso8601":  # AppConfig's dates
            return _ts(value).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return _ts(value).timestamp()
    return value


def json_response(
    service: str, op: str, result: dict[str, Any]
) -> tuple[int, dict[str, str], bytes]:
    model = operation(service, op)
    body = to_json(model.output_shape, result, op) if model.output_shape else {}
    version = model.service_model.metadata.get("jsonVersion", "1.1")
    headers = {
        "Content-Type": f"application/x-amz-json-{version}",
        "x-amzn-RequestId": str(uuid.uuid4()),
    }
    return 200, headers, json.dumps(body).encode()


def _xml_scalar(shape: Shape, value: Any) -> str:
    if shape.type_name == "boolean":
        return "true" if value else "false"
    if shape.type_name == "timestamp":
        return _ts(value).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return escape(str(value))


def to_xml(shape: Shape, value: Any, path: str) -> str:
    kind = shape.type_name
    if kind == "structure":
        _check_members(shape, value, path)
        out = []
        for key, item in value.items():
            member = shape.members[key]
            tag = member.serialization.get("name", key)
            if member.type_name == "list" and member.serialization.get("flattened"):
                out += [f"<{tag}>{to_xml(member.member, v, path)}</{tag}>" for v in item]
            else:
                out.append(f"<{tag}>{to_xml(member, item, f'{path}.{key}')}</{tag}>")
        return "".join(out)
    if kind == "list":
        tag = shape.member.serialization.get("name", "member")
        return "".join(f"<{tag}>{to_xml(shape.member, v, f'{path}[]')}</{tag}>" for v in value)
    if kind == "map":
        return "".join(
            f"<entry><key>{escape(str(k))}</key>"
            f"<value>{to_xml(shape.value, v, path)}</value></entry>"
            for k, v in value.items()
        )
    return _xml_scalar(shape, value)


def xml_response(
    service: str, op: str, result: dict[str, Any]
) -> tuple[int, dict[str, str], bytes]:
    model = operation(service, op)
    ns = model.service_model.metadata.get("xmlNamespace", "")
    request_id = str(uuid.uuid4())
    inner = to_xml(model.output_shape, result, op) if model.output_shape else ""
    if model.service_model.resolved_protocol == "ec2":
        body = (
            f'<{op}Response xmlns="{ns}"><requestId>{request_id}</requestId>{inner}</{op}Response>'
        )
    else:
        wrapper = (
            model.output_shape.serialization.get("resultWrapper") if model.output_shape else None
        )
        result_xml = f"<{wrapper}>{inner}</{wrapper}>" if wrapper else ""
        body = (
            f'<{op}Response xmlns="{ns}">{result_xml}'
            f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{op}Response>"
        )
    return 200, {"Content-Type": "text/xml"}, body.encode()


def respond(service: str, op: str, result: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    protocol = operation(service, op).service_model.resolved_protocol
    if protocol == "json":
        return json_response(service, op, result)
    if protocol == "rest-json":
        status, headers, body = json_response(service, op, result)
        return status, {**headers, "Content-Type": "application/json"}, body
    if protocol == "rest-xml":  # Route 53, CloudFront
        from providers.aws.emulator.restxml import rest_xml_response

        return rest_xml_response(service, op, result)
    return xml_response(service, op, result)


def error_response(
    service: str, op: str, status: int, code: str, message: str
) -> tuple[int, dict[str, str], bytes]:
    protocol = operation(service, op).service_model.resolved_protocol
    if protocol == "json":
        body = json.dumps({"__type": code, "message": message}).encode()
        return status, {"Content-Type": "application/x-amz-json-1.1"}, body
    if protocol == "rest-json":  # the code in a header, as Lambda answers
        body = json.dumps({"Type": "User", "Message": message}).encode()
        return status, {"Content-Type": "application/json", "x-amzn-ErrorType": code}, body
    text = f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
    if protocol == "ec2":
        xml = f"<Response><Errors><Error>{text}</Error></Errors><RequestID>x</RequestID></Response>"
    else:
        xml = (
            f"<ErrorResponse><Error><Type>Sender</Type>{text}</Error>"
            f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
        )
    return status, {"Content-Type": "text/xml"}, xml.encode()


# How AWS answers an overloaded or failing call, per protocol: (status, code, message)
_THROTTLE = {
    "json": (400, "ThrottlingException", "Rate exceeded"),
    "query": (400, "Throttling", "Rate exceeded"),
    "ec2": (503, "RequestLimitExceeded", "Request limit exceeded."),
    "rest-json": (429, "TooManyRequestsException", "Rate exceeded"),
}
_THROTTLE_BY_SERVICE = {"organizations": (400, "TooManyRequestsException", "Rate exceeded")}
_FAILURE = {
    ("500", "ec2"): (500, "InternalError", "An internal error has occurred"),
    ("503", "ec2"): (503, "Unavailable", "The server is overloaded and can't handle the request"),
    ("500", "*"): (500, "InternalFailure", "The request processing has failed"),
    ("503", "*"): (503, "ServiceUnavailable", "The request has failed due to a temporary failure"),
}


def fault_answer(service: str, op: str, kind: str) -> tuple[int, dict[str, str], bytes]:
    """An injected fault (`throttle`, `500`, `503`) as that service answers it."""
    protocol = operation(service, op).service_model.resolved_protocol
    if kind == "throttle":
        status, code, message = _THROTTLE_BY_SERVICE.get(service) or _THROTTLE.get(
            protocol, _THROTTLE["query"]
        )
    else:
        status, code, message = _FAILURE.get((kind, protocol)) or _FAILURE[(kind, "*")]
    return error_response(service, op, status, code, message)
