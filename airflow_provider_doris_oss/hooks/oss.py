"""``DorisOssHook``: the ``dorisoss`` connection as a boto3 client and as Doris properties."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow_provider_doris_oss.hooks.client import (
    NOT_FOUND_CODES,
    AbortWatch,
    OssOperationError,
    describe_error,
    error_code,
)
from airflow_provider_doris_oss.lineage import file_dataset, oss_dataset, report_hook_lineage
from airflow_provider_doris_oss.properties import OssProperties
from airflow_provider_doris_oss.property_specs import OssPropertiesError
from airflow_provider_doris_oss.uris import ObjectUri, resolve
from airflow_provider_doris_oss.version_compat import BaseHook

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

DELETE_BATCH = 1000  # the most keys one DeleteObjects request may carry

__all__ = ["DELETE_BATCH", "DorisOssHook", "LegacyDorisOssHook", "OssOperationError"]


# Parts of one file in flight (s3transfer's and S3Hook's default). One 512 MiB file through 50
# threads took 1.33x as long as through 10 on a quiet 2-core machine, and as long under load
# (benchmarks/bench_staging.py sweeps 4, 10 and 50).
PARTS_PER_FILE = 10


class DorisOssHook(BaseHook):
    """Aliyun OSS through its S3-compatible API, configured from a ``dorisoss`` connection.

    ``get_conn()`` returns a boto3 S3 client (built once per hook) for the Endpoint;
    ``doris_properties()`` renders the same connection as the ``s3.*`` property map Doris
    statements take, with the Endpoint for Doris when one is set.
    """

    conn_name_attr = "oss_conn_id"
    default_conn_name = "doris_oss_default"
    conn_type = "dorisoss"  # connection_types.OSS_CONN_TYPE; Airflow reads it without importing
    hook_name = "Aliyun OSS (Doris)"

    @classmethod
    def get_connection_form_widgets(cls) -> dict[str, Any]:
        """The form's fields on Airflow 3.0 and 3.1 (later releases read the provider info)."""
        from airflow_provider_doris_oss.connection_types import doris_oss_connection_type, form_widgets

        return form_widgets(doris_oss_connection_type())

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """The form's standard fields on Airflow 3.0 and 3.1 (labels, placeholders, hidden fields)."""
        from airflow_provider_doris_oss.connection_types import doris_oss_connection_type, field_behaviour

        return field_behaviour(doris_oss_connection_type())

    def __init__(self, oss_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.oss_conn_id = oss_conn_id

    def __repr__(self) -> str:
        return f"{type(self).__name__}(oss_conn_id={self.oss_conn_id!r})"

    @cached_property
    def properties(self) -> OssProperties:
        """The connection's OSS properties, parsed and validated; the keys are masked in logs."""
        from airflow.sdk.log import mask_secret

        props = OssProperties.from_connection(self.get_connection(self.oss_conn_id))
        for secret in props.secrets:
            mask_secret(secret)
        return props

    def get_conn(self) -> S3Client:
        """The boto3 S3 client, built once per hook."""
        return self.client

    @cached_property
    def client(self) -> S3Client:
        """The boto3 S3 client, virtual-hosted, SigV4, with the connection's pool and timeouts."""
        from airflow_provider_doris_oss.hooks.client import build_client

        return build_client(self.properties)

    @cached_property
    def transfer_client(self) -> S3Client:
        """The client uploads use: the same settings, but connect and read timeouts of at least 60 s.

        With many parts in flight a busy link or server takes a part's body, and answers it, later
        than the connection's timeouts allow (Doris's defaults: 1 s to connect, 3 s per read), and
        urllib3 writes a request body under the connect timeout.
        """
        from airflow_provider_doris_oss.hooks.client import build_client

        return build_client(self.properties, transfer=True)

    def doris_properties(self) -> dict[str, str]:
        """The ``s3.*`` property map for Doris SQL, Doris's endpoint included (holds the secret key)."""
        return self.properties.doris_properties()

    def resolve(self, uri_or_key: str, bucket: str | None = None, *, field: str = "key") -> ObjectUri:
        """A full URI as it is, or a key in ``bucket`` (else the connection's default bucket)."""
        properties = self.properties
        return resolve(
            uri_or_key,
            bucket or properties.bucket,
            conn_id=self.oss_conn_id,
            field=field,
            region=properties.region,
        )

    def upload_files(self, uploads: Sequence[tuple[str | os.PathLike[str], ObjectUri]]) -> list[ObjectUri]:
        """Upload local files in parallel (multipart above 8 MiB), at most connection.maximum at once.

        Requests in flight: s3transfer's default of ``PARTS_PER_FILE`` per file, more only when more
        files share them, never more than connection.maximum (the pool's size).
        """
        from boto3.s3.transfer import TransferConfig, create_transfer_manager

        threads = min(self.properties.connection_maximum, PARTS_PER_FILE * len(uploads))
        config = TransferConfig(max_concurrency=max(threads, 1), preferred_transfer_client="classic")
        with (
            AbortWatch(self.transfer_client.meta.events) as aborts,
            create_transfer_manager(self.transfer_client, config) as manager,
        ):
            futures = [
                (manager.upload(os.fspath(path), target.bucket, target.key), target)
                for path, target in uploads
            ]
            failures = []
            for future, target in futures:
                try:
                    future.result()
                except Exception as error:
                    failures.append(f"{target}: {describe_error(error)}")
        if failures:
            raise OssOperationError(
                f"{len(failures)} of {len(uploads)} uploads failed: " + "; ".join(failures) + aborts.message()
            )
        report_hook_lineage(
            self,
            inputs=[file_dataset(os.path.abspath(path)) for path, _ in uploads],
            outputs=[oss_dataset(target) for _, target in uploads],
        )
        return [target for _, target in uploads]

    def upload_file(self, path: str | os.PathLike[str], target: ObjectUri) -> ObjectUri:
        """Upload one local file."""
        return self.upload_files([(path, target)])[0]

    def iter_objects(
        self, bucket: str, prefix: str = "", *, page_size: int = 1000
    ) -> Iterator[dict[str, Any]]:
        """The objects under ``prefix``, page by page, as ListObjectsV2 returns them."""
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(
                Bucket=bucket, Prefix=prefix, PaginationConfig={"PageSize": page_size}
            ):
                for obj in page.get("Contents", []):
                    yield dict(obj)
        except Exception as error:
            raise OssOperationError(
                f"Listing oss://{bucket}/{prefix} failed: {describe_error(error)}"
            ) from None

    def list_keys(self, bucket: str, prefix: str = "") -> list[str]:
        """Every key under ``prefix``."""
        return [obj["Key"] for obj in self.iter_objects(bucket, prefix)]

    def head(self, target: ObjectUri) -> dict[str, Any] | None:
        """The object's HEAD response, or None when it does not exist."""
        try:
            return dict(self.client.head_object(Bucket=target.bucket, Key=target.key))
        except Exception as error:
            if error_code(error) in NOT_FOUND_CODES:
                return None
            raise OssOperationError(f"HEAD {target} failed: {describe_error(error)}") from None

    def delete_keys(self, bucket: str, keys: Iterable[str]) -> int:
        """Delete keys in batches of 1000; raise naming the keys OSS refused. Returns the count."""
        pending = list(dict.fromkeys(keys))
        deleted = 0
        for start in range(0, len(pending), DELETE_BATCH):
            batch = pending[start : start + DELETE_BATCH]
            try:
                response = self.client.delete_objects(
                    Bucket=bucket, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True}
                )
            except Exception as error:
                named = ", ".join(batch[:5]) + (", ..." if len(batch) > 5 else "")
                raise OssOperationError(
                    f"Deleting {len(batch)} keys in {bucket} ({named}) failed: {describe_error(error)}"
                ) from None
            errors = response.get("Errors", [])
            if errors:
                shown = ", ".join(f"{e.get('Key')} ({e.get('Code')})" for e in errors[:5])
                raise OssOperationError(f"OSS refused to delete {len(errors)} keys in {bucket}: {shown}")
            deleted += len(batch)
            report_hook_lineage(self, outputs=[oss_dataset(ObjectUri(bucket, key)) for key in batch])
        return deleted

    def test_connection(self) -> tuple[bool, str]:
        """Check the endpoint and keys with operations OSS has (no STS); the message names the cause.

        With a default bucket: HeadBucket, and when that fails a one-key ListObjects, whose error
        body tells a wrong key from a wrong secret, a missing permission, a missing bucket or a
        wrong region. Without one: ListBuckets. One attempt each, so the answer comes at once.
        """
        from airflow_provider_doris_oss.hooks.diagnosis import (
            doris_endpoint_note,
            doris_names_read,
            region_note,
            without_conn_id,
        )

        try:
            props = self.properties
            extra = self.get_connection(self.oss_conn_id).extra_dejson
        except OssPropertiesError as error:
            return False, without_conn_id(str(error), self.oss_conn_id)
        names = doris_names_read(extra if isinstance(extra, dict) else {})
        ok, message = self._probe(props)
        return ok, message + region_note(props) + doris_endpoint_note(props) + names

    def _probe(self, props: OssProperties) -> tuple[bool, str]:
        from botocore.exceptions import ClientError

        from airflow_provider_doris_oss.hooks.diagnosis import network_failure, oss_answer, plural, scrub

        client = self._single_attempt_client(props)
        try:
            if props.bucket:
                try:
                    client.head_bucket(Bucket=props.bucket)
                except ClientError:
                    # HeadBucket errors have no body; a one-key listing's error says why.
                    client.list_objects_v2(Bucket=props.bucket, MaxKeys=1)
                    raise
                return True, (
                    f"Connected to OSS at {props.endpoint_url}: bucket {props.bucket!r} is reachable "
                    "with these keys."
                )
            buckets = client.list_buckets().get("Buckets", [])
            return True, (
                f"Connected to OSS at {props.endpoint_url}: the keys are valid and can see "
                f"{plural(len(buckets), 'bucket')}."
            )
        except Exception as error:
            if isinstance(error, ClientError):
                return False, oss_answer(error, props, bucket=props.bucket)
            cause = network_failure(error, props)
            if cause is None:
                detail = scrub(describe_error(error), props.secrets)
                cause = f"Testing OSS at {props.endpoint_url} failed: {detail}"
            return False, cause

    @staticmethod
    def _single_attempt_client(props: OssProperties) -> S3Client:
        """A client like ``client`` that does not retry: a test reports what happens now."""
        import boto3
        from botocore.config import Config

        from airflow_provider_doris_oss.hooks.client import register_oss_handlers

        kwargs = props.boto3_client_kwargs()
        once = Config(retries={"mode": "standard", "total_max_attempts": 1})
        kwargs["config"] = kwargs["config"].merge(once)
        client = boto3.session.Session().client("s3", **kwargs)
        register_oss_handlers(client.meta.events)
        return client


class LegacyDorisOssHook(DorisOssHook):
    """``DorisOssHook`` for connections stored under the former type ``doris_oss``.

    Airflow maps each connection type to one hook class; this one keeps such connections working
    (hook, form, Test button) until their type is changed to ``dorisoss``.
    """

    conn_type = "doris_oss"  # connection_types.LEGACY_OSS_CONN_TYPE
    hook_name = "Aliyun OSS, Doris (former type doris_oss: use dorisoss)"
