"""schemathesis hooks for test/integration/contract/: a tus request's body is bytes, sent as they are."""
import schemathesis
from schemathesis.transport.serialization import serialize_binary


@schemathesis.serializer("application/offset+octet-stream")
def tus_bytes(ctx, value):
    return {"data": serialize_binary(value)}
