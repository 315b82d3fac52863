"""The boto3 S3 client for OSS, configured as OSS requires; shared by the hook and the triggers."""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from airflow_provider_doris_oss.properties import OssProperties


class OssOperationError(RuntimeError):
    """An OSS request that failed; the message names the bucket, the keys and OSS's error code."""


NOT_FOUND_CODES = ("404", "NoSuchKey", "NotFound")  # what a HEAD or GET of a missing object answers


def error_code(error: BaseException) -> str | None:
    """OSS's error code (``NoSuchKey``, ``AccessDenied``, ``404`` ...) carried by a botocore error."""
    response = getattr(error, "response", None)
    return response.get("Error", {}).get("Code") if isinstance(response, dict) else None


def error_message(response: dict[str, Any]) -> str:
    """The message of a parsed error response: OSS's ``Message``, else an HTML page's title.

    A server in front of OSS (nginx) answers some requests with an HTML page, e.g. plain HTTP sent
    to port 443: botocore then parses no code or message, only the page's ``<title>``.
    """
    message = str((response.get("Error") or {}).get("Message") or "")
    head = response.get("head")
    title = head.get("title") if isinstance(head, dict) else None
    return message or (str(title) if title else "")


def describe_error(error: BaseException) -> str:
    """A short, secret-free description of a boto/botocore error: OSS's code, HTTP status, message."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        err = response.get("Error", {})
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return f"{err.get('Code') or 'Error'} (HTTP {status}): {error_message(response)}".strip()
    return f"{type(error).__name__}: {error}"


_CHECKSUM_HEADERS = ("x-amz-checksum-crc32", "x-amz-checksum-crc32c", "x-amz-sdk-checksum-algorithm")


def content_md5_for_delete_objects(request: Any, **_: Any) -> None:
    """OSS's DeleteMultipleObjects needs Content-MD5; botocore sends a CRC32 header instead."""
    body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
    for header in _CHECKSUM_HEADERS:
        if header in request.headers:
            del request.headers[header]
    request.headers["Content-MD5"] = base64.b64encode(hashlib.md5(body).digest()).decode()


def register_oss_handlers(events: Any) -> None:
    """Install the OSS request fix-ups on a botocore (or aiobotocore) event system."""
    events.register("before-sign.s3.DeleteObjects", content_md5_for_delete_objects)


class AbortWatch:
    """Record failed AbortMultipartUpload calls on a client while a transfer runs.

    s3transfer aborts a failed multipart upload in a clean-up callback and logs a failing abort
    only at debug level; this makes the failure part of the upload's error message.
    """

    _EVENTS = ("after-call.s3.AbortMultipartUpload", "after-call-error.s3.AbortMultipartUpload")

    def __init__(self, events: Any) -> None:
        self.events = events
        self.failures: list[str] = []
        self._id = f"doris-oss-abort-watch-{id(self)}"

    def __enter__(self) -> AbortWatch:
        for event in self._EVENTS:
            self.events.register(event, self._record, unique_id=f"{self._id}-{event}")
        return self

    def __exit__(self, *exc: object) -> None:
        for event in self._EVENTS:
            self.events.unregister(event, unique_id=f"{self._id}-{event}")

    def _record(self, **kwargs: Any) -> None:
        error = kwargs.get("exception")
        if error is not None:
            self.failures.append(describe_error(error))
            return
        http = kwargs.get("http_response")
        status = getattr(http, "status_code", 200)
        if status >= 300:
            err = (kwargs.get("parsed") or {}).get("Error", {})
            self.failures.append(
                f"{err.get('Code', 'Error')} (HTTP {status}): {err.get('Message', '')}".strip()
            )

    def message(self) -> str:
        """The sentence to append to an upload error, or "" when every abort succeeded."""
        if not self.failures:
            return ""
        reasons = "; ".join(dict.fromkeys(self.failures))
        return (
            f" AbortMultipartUpload also failed ({reasons}), so incomplete multipart uploads may be left "
            "behind for the failed objects; they are billed as storage until removed. Find them with "
            "ListMultipartUploads (e.g. `ossutil ls -m oss://bucket/`) and abort them, or add a bucket "
            "lifecycle rule that deletes incomplete multipart uploads."
        )


# A part upload is answered only once its whole body (8 MiB) has arrived, and with many parts in
# flight a busy link or server is slower than the per-read timeout Doris's property is meant for
# (3 s by default). Sending is slow too: urllib3 writes a request under the *connect* timeout (it
# has no write timeout), so with Doris's 1 s a part whose body the server took late failed with
# ConnectionClosedError. Doris's own client (the AWS C++ SDK over curl) bounds only the connect
# phase with it. Transfers wait at least botocore's default (60 s) for both.
TRANSFER_TIMEOUT_SECONDS = 60.0


def build_client(props: OssProperties, *, transfer: bool = False) -> S3Client:
    """A boto3 S3 client for the endpoint, keys and settings in ``props``.

    ``transfer``: a client for uploads, whose connect (hence write) and read timeouts are at least
    ``TRANSFER_TIMEOUT_SECONDS``.
    """
    import boto3
    from botocore.config import Config

    kwargs = props.boto3_client_kwargs()
    if transfer:
        config = kwargs["config"]
        kwargs["config"] = config.merge(
            Config(
                connect_timeout=max(config.connect_timeout, TRANSFER_TIMEOUT_SECONDS),
                read_timeout=max(config.read_timeout, TRANSFER_TIMEOUT_SECONDS),
            )
        )
    client = boto3.session.Session().client("s3", **kwargs)
    register_oss_handlers(client.meta.events)
    return client
