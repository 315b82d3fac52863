"""The provider's operators against every Doris release the local FE plays.

Each profile answers as its release does (``@@version_comment``, SHOW LOAD's columns, SHOW
EXPORT's ``fileSize``), and a statement the release cannot parse is refused by the task before it
is sent. The expectations below are Doris's (docs/compatibility.md#doris-releases), written out
per release rather than read from the profiles.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_doris_oss.hooks.doris import DorisHook
from airflow_provider_doris_oss.operators.broker_load import DorisBrokerLoadOperator
from airflow_provider_doris_oss.operators.export import DorisExportOperator
from airflow_provider_doris_oss.operators.insert import DorisOssInsertOperator
from airflow_provider_doris_oss.operators.job import DorisJobError
from airflow_provider_doris_oss.operators.outfile import DorisOutfileOperator
from airflow_provider_doris_oss.sql import DataDescription
from airflow_provider_doris_oss.sql.releases import DorisRelease, DorisReleaseError

# doris_version -> (release, SHOW LOAD columns, refuses PARTITION (*), refuses TEMPORARY PARTITION)
PROFILES = {
    "2.1.2": (DorisRelease(2, 1, 2), 19, True, False),
    "3.0.3": (DorisRelease(3, 0, 3), 19, False, True),
    "3.1": (DorisRelease(3, 1, 3), 20, False, False),
    "4.0": (DorisRelease(4, 0, 8), 20, False, False),
}
EVENTS = (
    "CREATE TABLE events (dt DATE, id INT) DUPLICATE KEY(dt) PARTITION BY RANGE(dt) ("
    'PARTITION p1 VALUES LESS THAN ("2024-02-01"), PARTITION p2 VALUES LESS THAN ("2024-03-01")) '
    'DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")'
)


def context(task_id: str) -> dict[str, Any]:
    class Events(dict):  # type: ignore[type-arg]
        def __missing__(self, key: Any) -> Any:
            self[key] = SimpleNamespace(extra={})
            return self[key]

    ti = SimpleNamespace(dag_id="releases", task_id=task_id, run_id="manual__1", map_index=-1, try_number=1)
    return {"ti": ti, "outlet_events": Events()}


def sent(doris: Any, verb: str) -> list[str]:
    return [s for s in doris.statements() if s.lstrip().upper().startswith(verb)]


@pytest.mark.parametrize("doris_version", sorted(PROFILES))
def test_operators_on_each_release(doris_version: str, doris: Any) -> None:
    release, load_columns, refuses_star, refuses_temporary = PROFILES[doris_version]
    assert DorisHook().doris_release() == release
    doris.put("in/a.csv", "1,ann,10\n2,bob,20\n")
    doris.put("ev/a.csv", "2024-02-05,7\n")
    doris.run(EVENTS)

    # Broker Load: SHOW LOAD as the release shows it, read by column name either way.
    summary = DorisBrokerLoadOperator(
        task_id="load", table=f"{doris.db}.orders", source_uris=f"oss://{doris.bucket}/in/a.csv",
        format="csv", column_separator=",", columns=["id", "name", "x"], poll_interval=0.1,
    ).execute(context("load"))  # fmt: skip
    assert summary["state"] == "FINISHED" and summary["loaded_rows"] == 2
    with doris.conn.cursor() as cur:
        cur.execute(f'SHOW LOAD WHERE LABEL = "{summary["label"]}"')
        assert len(cur.description) == load_columns

    # EXPORT: fileSize is "<n>bytes" on 2.1/3.0 and "<n>" later; both read as the file's size.
    exported = DorisExportOperator(
        task_id="export",
        table=f"{doris.db}.orders",
        target_uri=f"oss://{doris.bucket}/exp/o_",
        poll_interval=0.1,
    ).execute(context("export"))
    (key,) = doris.objects("exp/")
    assert exported["file_size"] == len(doris.objects("exp/")[key]) > 0

    # OUTFILE: the same six columns on every release.
    out = DorisOutfileOperator(
        task_id="out",
        sql=f"SELECT id FROM {doris.db}.orders ORDER BY id",
        target_uri=f"oss://{doris.bucket}/out/o_",
    ).execute(context("out"))
    assert out["total_rows"] == 2

    # INSERT OVERWRITE ... PARTITION (*): refused before sending on 2.1.2, replaces p2 elsewhere.
    overwrite = DorisOssInsertOperator(
        task_id="overwrite", table=f"{doris.db}.events", source_uri=f"oss://{doris.bucket}/ev/a.csv",
        format="csv", column_separator=",", select_list=["c1", "c2"], partitions="*", overwrite=True,
    )  # fmt: skip
    if refuses_star:
        with pytest.raises(
            DorisReleaseError, match=r"^Doris 2\.1\.2 cannot parse INSERT OVERWRITE .*2\.1\.3"
        ):
            overwrite.execute(context("overwrite"))
        assert sent(doris, "INSERT OVERWRITE") == []
    else:
        overwrite.execute(context("overwrite"))
        assert [tuple(r.values()) for r in doris.run("SELECT id FROM events")] == [(7,)]

    # Broker Load into a temporary partition: refused before sending on 3.0.3; elsewhere it
    # reaches Doris, which parses it and answers that the table has no such partition.
    temporary = DorisBrokerLoadOperator(
        task_id="temporary", database=doris.db, poll_interval=0.1,
        data_descriptions=[DataDescription(f"oss://{doris.bucket}/ev/a.csv", "events", column_separator=",",
                                           temporary_partitions=["tp1"])],
    )  # fmt: skip
    loads_before = len(sent(doris, "LOAD"))
    if refuses_temporary:
        with pytest.raises(DorisReleaseError, match=r"^Doris 3\.0\.3 cannot parse Broker Load .*3\.0\.4"):
            temporary.execute(context("temporary"))
        assert len(sent(doris, "LOAD")) == loads_before
    else:
        with pytest.raises(DorisJobError, match="Unknown partition 'tp1'"):
            temporary.execute(context("temporary"))
        assert len(sent(doris, "LOAD")) == loads_before + 1
