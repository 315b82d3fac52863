"""Server-side AWS Signature Version 4 checking, as OSS's S3 endpoint does it."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class SignatureProblem:
    """Why a request was refused: an S3 error code and its message, OSS's EC, the argument at fault."""

    status: int
    code: str
    message: str
    ec: str = "0002-00000001"
    argument: tuple[str, str] | None = None


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def _canonical_query(query: str) -> str:
    pairs = []
    for part in query.split("&") if query else []:
        key, _, value = part.partition("=")
        pairs.append((key, value))
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def check_signature(
    *,
    method: str,
    raw_uri: str,
    headers: Mapping[str, str],
    body: bytes,
    access_key: str,
    secret_key: str,
) -> SignatureProblem | None:
    """Verify a header-signed SigV4 request; ``headers`` are keyed in lower case."""
    authorization = headers.get("authorization", "")
    if not authorization.startswith("AWS4-HMAC-SHA256 "):
        return SignatureProblem(
            403, "AccessDenied", "The request is not signed with AWS Signature Version 4."
        )
    try:
        parts = dict(
            item.strip().split("=", 1) for item in authorization[len("AWS4-HMAC-SHA256 ") :].split(",")
        )
        credential, signed_headers, signature = (
            parts["Credential"],
            parts["SignedHeaders"],
            parts["Signature"],
        )
        key_id, scope = credential.split("/", 1)
        date, region, service, terminator = scope.split("/")
    except (KeyError, ValueError):
        return SignatureProblem(400, "InvalidArgument", "The Authorization header is malformed.")
    if key_id != access_key:
        return SignatureProblem(
            403, "InvalidAccessKeyId", "The OSS Access Key Id you provided does not exist."
        )
    payload_hash = headers.get("x-amz-content-sha256", "")
    if (
        payload_hash
        and payload_hash != "UNSIGNED-PAYLOAD"
        and payload_hash != hashlib.sha256(body).hexdigest()
    ):
        return SignatureProblem(
            400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' does not match the body."
        )
    url = urlsplit(raw_uri)
    canonical_headers = "".join(
        f"{name}:{' '.join(headers.get(name, '').split())}\n" for name in signed_headers.split(";")
    )
    canonical_request = "\n".join(
        [
            method,
            url.path or "/",
            _canonical_query(url.query),
            canonical_headers,
            signed_headers,
            payload_hash,
        ]
    )
    string_to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            headers.get("x-amz-date", ""),
            scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    key = _hmac(_hmac(_hmac(_hmac(f"AWS4{secret_key}".encode(), date), region), service), terminator)
    expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return SignatureProblem(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        )
    return None
