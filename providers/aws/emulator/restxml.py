"""The rest-xml wire format (Route 53, CloudFront) for the emulator's answers,
rendered from botocore's model as wire.py renders the other protocols.

The body's root element is the output shape's name in the service's XML
namespace; members bound to headers go in headers, and an output whose model
names a payload member sends that member alone as the body (CloudFront's
GetDistributionConfig). wire.respond calls this for rest-xml operations.
"""

from __future__ import annotations

import uuid
from typing import Any

from providers.aws.emulator.wire import operation, to_xml


def namespace(service: str, op: str) -> str:
    """The service's XML namespace, as its answers carry it."""
    model = operation(service, op)
    for shape in (model.input_shape, model.output_shape):
        if shape is not None and shape.serialization.get("xmlNamespace"):
            return str(shape.serialization["xmlNamespace"].get("uri", ""))
    # an operation without a body (CloudFront's GETs) names none: another
    # operation's request does (CloudFront's is http://, not https://)
    service_model = model.service_model
    for name in service_model.operation_names:
        shape = service_model.operation_model(name).input_shape
        for candidate in (shape, *(shape.members.values() if shape else ())):
            uri = candidate.serialization.get("xmlNamespace") if candidate else None
            if isinstance(uri, dict) and uri.get("uri"):
                return str(uri["uri"])
    meta = model.service_model.metadata
    return f"https://{meta['endpointPrefix']}.amazonaws.com/doc/{meta['apiVersion']}/"


def rest_xml_response(
    service: str, op: str, result: dict[str, Any]
) -> tuple[int, dict[str, str], bytes]:
    model = operation(service, op)
    shape = model.output_shape
    headers = {"Content-Type": "text/xml", "x-amzn-RequestId": str(uuid.uuid4())}
    if shape is None:
        return 200, headers, b""
    body_part = dict(result)
    for key, member in shape.members.items():
        if member.serialization.get("location") == "header" and key in body_part:
            headers[member.serialization.get("name", key)] = str(body_part.pop(key))
    ns = namespace(service, op)
    payload = shape.serialization.get("payload")
    if payload:
        member = shape.members[payload]
        tag = member.serialization.get("name", member.name)
        inner = to_xml(member, body_part.get(payload, {}), f"{op}.{payload}")
    else:
        tag, inner = shape.name, to_xml(shape, body_part, op)
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<{tag} xmlns="{ns}">{inner}</{tag}>'
    return 200, headers, body.encode()
