"""``oss://`` for Airflow's ObjectStoragePath: s3fs configured from a ``dorisoss`` connection.

- ``oss``: the module the provider info's ``filesystems`` entry names (``schemes``, ``get_fs``).
- ``filesystem``: ``OssFileSystem``, s3fs set up as OSS requires (needs the ``fs`` extra).
- ``path``: ``OssPath``, the universal_pathlib class for ``oss://`` (an entry point).
"""

MISSING_S3FS = (
    "oss:// paths need s3fs, which is not installed. Install the provider's 'fs' extra: "
    "pip install 'airflow-provider-doris-oss[fs]'"
)
