"""The ``oss://`` filesystem's serialized forms hold the connection id, never the keys.

s3fs keeps its constructor arguments as ``storage_options`` and writes them into ``to_json()``
and pickles; before the fix those held the access key, the secret key and the proxy password
in clear. Now the filesystem is built from the connection id and a copy made from a serialized
form reads the connection again, in whatever process it is made.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from tests.fs.conftest import CONN_ID, PROXY_PASSWORD


def _secrets(local_oss: Any) -> list[str]:
    return [local_oss.access_key, local_oss.secret_key, PROXY_PASSWORD]


def test_serialized_forms_hold_no_secret(local_oss: Any, bucket: Any) -> None:
    from airflow_provider_doris_oss.fs.oss import get_fs

    fs = get_fs(CONN_ID, {"default_block_size": 6 * 2**20})
    path = bucket.path("k.txt")
    # The filesystem really uses them: a test that found nothing because nothing was there proves nothing.
    assert (fs.key, fs.secret) == (local_oss.access_key, local_oss.secret_key)
    assert PROXY_PASSWORD in fs.config_kwargs["proxies"]["https"]
    forms = {
        "fs.to_json()": fs.to_json(),
        "fs.to_dict()": json.dumps(fs.to_dict()),
        "fs.storage_options": repr(fs.storage_options),
        "pickle.dumps(fs)": pickle.dumps(fs).decode("latin-1"),
        "path.serialize()": json.dumps(path.serialize()),
        "pickle.dumps(path)": pickle.dumps(path).decode("latin-1"),
        "pickle.dumps(path.fs)": pickle.dumps(path.fs).decode("latin-1"),
        "str/repr": f"{path} {path!r} {fs!r}",
    }
    leaks = {name: [s for s in _secrets(local_oss) if s in text] for name, text in forms.items()}
    assert leaks == {name: [] for name in forms}
    assert fs.storage_options == {"conn_id": CONN_ID, "default_block_size": 6 * 2**20}


def test_copies_from_serialized_forms_read_and_write(bucket: Any) -> None:
    from fsspec import AbstractFileSystem

    from airflow_provider_doris_oss.fs.filesystem import OssFileSystem
    from airflow_provider_doris_oss.fs.oss import get_fs

    fs = get_fs(CONN_ID)
    bucket.put({"in.txt": "written by boto3"})
    copies = {
        "pickle": pickle.loads(pickle.dumps(fs)),
        "json": AbstractFileSystem.from_json(fs.to_json()),
        "dict": AbstractFileSystem.from_dict(fs.to_dict()),
    }
    for name, copy in copies.items():
        assert isinstance(copy, OssFileSystem) and copy.storage_options == {"conn_id": CONN_ID}
        assert copy.cat(f"{bucket.name}/in.txt") == b"written by boto3"
        copy.pipe(f"{bucket.name}/out-{name}.txt", name.encode())
    assert bucket.contents() == {
        "in.txt": "written by boto3",
        "out-pickle.txt": "pickle",
        "out-json.txt": "json",
        "out-dict.txt": "dict",
    }
    # str() carries the connection id (oss://<conn_id>@bucket/key); a pickled ObjectStoragePath
    # does not (Airflow's own __reduce__ drops it), see docs/object-storage.md.
    from airflow.sdk import ObjectStoragePath

    text = str(bucket.path("in.txt"))
    assert text == f"oss://{CONN_ID}@{bucket.name}/in.txt"
    path = ObjectStoragePath(text)
    assert path.conn_id == CONN_ID and path.read_text() == "written by boto3"


def test_an_unpickled_filesystem_reads_the_connection_of_its_process(bucket: Any, tmp_path: Path) -> None:
    """In a fresh interpreter without the connection the copy cannot work: it carries no keys."""
    from airflow_provider_doris_oss.fs.oss import get_fs

    bucket.put({"in.txt": "hello"})
    (tmp_path / "fs.pickle").write_bytes(pickle.dumps(get_fs(CONN_ID)))
    script = textwrap.dedent(
        f"""
        import os, pickle
        variable = "AIRFLOW_CONN_{CONN_ID.upper()}"
        blob = open({str(tmp_path / "fs.pickle")!r}, "rb").read()
        conn = os.environ.pop(variable)
        try:
            pickle.loads(blob)
        except Exception as error:
            print("WITHOUT:", type(error).__name__, error)
        os.environ[variable] = conn
        fs = pickle.loads(blob)
        print("WITH:", fs.cat({bucket.name + "/in.txt"!r}).decode())
        fs.pipe({bucket.name + "/from-child.txt"!r}, b"child")
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=dict(os.environ)
    )
    assert out.returncode == 0, out.stderr[-3000:]
    lines = [line for line in out.stdout.splitlines() if line.startswith(("WITHOUT:", "WITH:"))]
    assert lines == [
        f"WITHOUT: AirflowNotFoundException The conn_id `{CONN_ID}` isn't defined",
        "WITH: hello",
    ], out.stdout[-3000:]
    assert bucket.contents() == {"in.txt": "hello", "from-child.txt": "child"}


def test_a_path_passed_through_xcom_still_reads_and_writes(run_dag: Any, bucket: Any) -> None:
    """A task returns an ObjectStoragePath (XCom stores ``serialize()``); the next one uses it."""
    result = run_dag(
        f"""
        import pendulum
        from airflow.sdk import DAG, ObjectStoragePath, task

        with DAG("{{dag_id}}", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
            @task
            def write() -> ObjectStoragePath:
                path = ObjectStoragePath("oss://{bucket.name}/x/[ab].csv", conn_id="{CONN_ID}")
                path.write_text("1,a\\n")
                return path

            @task
            def read_and_move(path: ObjectStoragePath) -> str:
                assert path.conn_id == "{CONN_ID}"
                target = path.parent / "done" / path.name
                path.rename(target)
                return target.read_text()

            read_and_move(write())
        """
    )
    assert result.task_states == {"write": "success", "read_and_move": "success"}
    assert result.xcom("read_and_move") == "1,a\n"
    assert bucket.contents() == {"x/done/[ab].csv": "1,a\n"}
    stored = result.xcom("write")
    assert stored.conn_id == CONN_ID and stored.key == "x/[ab].csv"
