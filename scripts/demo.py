"""`make demo`: run the example DAGs end to end on the local OSS and the local Doris FE.

Airflow gets a throw-away home under ``.demo/`` (sqlite metadata DB, the example DAGs as its
dags folder); the stand-ins run on 127.0.0.1 and are stopped when the demo ends.

Then the event-driven flagship (``example_oss_to_doris``) runs under Airflow's real scheduler,
triggerer and execution API server: three files land in the local OSS, then one of them again
unchanged and one rewritten, then a burst of twenty; the demo prints the runs, the batched load
jobs and the rows.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HOME = ROOT / ".demo" / "airflow"
DEMO_DAGS = ("example_doris_broker_load", "example_doris_outfile", "example_doris_export")
FLAGSHIP = ROOT / "example_dags" / "example_oss_to_doris.py"
FLAGSHIP_TABLE = "orders_events"
FLAGSHIP_LEDGER = "oss_loaded_objects"


def _orders(*ids: int) -> bytes:
    return "".join(f"{n},customer-{n},{n}.50,2026-03-01\n" for n in ids).encode()


def _flagship(oss: Any, fe: Any, bucket: str) -> bool:
    """Drop files into the watched inbox and show that each version is loaded exactly once, in batches."""
    from airflow_provider_doris_oss.hooks.doris import DorisHook
    from airflow_provider_doris_oss.testing.airflow_processes import LocalAirflow

    database = "demo_events"  # its own database: SHOW LOAD lists only this DAG's jobs
    env = {
        "AIRFLOW_CONN_DORIS_OSS_DEFAULT": oss.connection("doris_oss_default", bucket=bucket).as_json(),
        "AIRFLOW_CONN_DORIS_DEFAULT": fe.connection("doris_default").as_json(),
        "DORIS_OSS_DEMO_BUCKET": bucket,
        "DORIS_OSS_DEMO_DATABASE": database,
        "DORIS_OSS_DEMO_EVENT_TABLE": FLAGSHIP_TABLE,
        "DORIS_OSS_DEMO_POLL_INTERVAL": "1",
        "DORIS_OSS_DEMO_RETRY_SECONDS": "2",
        "DORIS_OSS_DEMO_SWEEP_SECONDS": "20",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
    }
    home = ROOT / ".demo" / "flagship"
    shutil.rmtree(home, ignore_errors=True)
    client = oss.client()
    doris = DorisHook()

    def ledger() -> int:
        if not doris.get_records(f"SHOW DATABASES LIKE '{database}'"):
            return 0
        if not doris.get_records(f"SHOW TABLES FROM `{database}` LIKE '{FLAGSHIP_LEDGER}'"):
            return 0
        return int(doris.get_first(f"SELECT COUNT(*) FROM `{database}`.`{FLAGSHIP_LEDGER}`")[0])

    print("\nEvent-driven flagship: Airflow scheduler, triggerer and execution API server starting ...")
    with LocalAirflow(home, [FLAGSHIP], env) as airflow:
        airflow.prepare()
        for name in ("api-server", "scheduler", "triggerer"):
            airflow.start(name)
        airflow.wait_for(
            lambda: client.list_objects_v2(Bucket=bucket, Prefix="_airflow_doris_oss/").get("KeyCount"),
            "the watcher's first listing",
        )
        steps = (
            ("three files", [("a", _orders(1, 2, 3)), ("b", _orders(4, 5)), ("c", _orders(6, 7))], 3),
            ("a again unchanged, c rewritten", [("a", _orders(1, 2, 3)), ("c", _orders(6, 7, 8))], 4),
            ("a burst of 20 files", [(f"burst-{n:02d}", _orders(100 + n)) for n in range(20)], 24),
        )
        for what, files, versions in steps:
            print(f"  drop {what}")
            for name, body in files:
                client.put_object(Bucket=bucket, Key=f"inbox/{name}.csv", Body=body)
            airflow.wait_for(lambda n=versions: ledger() == n, f"{versions} object versions loaded")
        time.sleep(5)  # more polls and runs: nothing is loaded again
        airflow.wait_for(
            lambda: (
                not airflow.query(
                    "select 1 from dag_run where dag_id = 'example_oss_to_doris' and state != 'success'"
                )
            ),
            "every run to finish",
        )
        runs = airflow.query(
            "select r.run_type, count(l.event_id) from dag_run r left join dagrun_asset_event l "
            "on l.dag_run_id = r.id where r.dag_id = 'example_oss_to_doris' group by r.id order by r.id"
        )
        events = airflow.query("select count(*) from asset_event")[0][0]
    print(f"  {events} asset events, {len(runs)} runs (each plans every event since the previous plan):")
    for run_type, consumed in runs:
        print(f"    {run_type:<16} triggered by {consumed} events")
    jobs = doris.get_records(f"SHOW LOAD FROM `{database}`")
    print("  Doris load jobs:")
    for job in jobs:
        print(f"    {job[1]}  {job[2]}")
    loaded = ledger()
    rows = doris.get_first(f"SELECT COUNT(*) FROM `{database}`.`{FLAGSHIP_TABLE}`")[0]
    print(
        f"  {loaded} object versions in {len(jobs)} Broker Loads; {database}.{FLAGSHIP_TABLE} holds "
        f"{rows} rows (a: 3, b: 2, c: 2, c rewritten: 3, burst: 20)"
    )
    return int(rows) == 30 and loaded == 24


def _configure_airflow() -> None:
    shutil.rmtree(HOME, ignore_errors=True)
    HOME.mkdir(parents=True)
    os.environ.update(
        {
            "AIRFLOW_HOME": str(HOME),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{HOME}/airflow.db",
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "example_dags"),
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        }
    )


def main() -> int:
    _configure_airflow()
    from airflow.dag_processing.dagbag import DagBag
    from airflow.utils.db import resetdb

    from airflow_provider_doris_oss.hooks.doris import DorisHook
    from airflow_provider_doris_oss.testing import LocalDorisFE, LocalOss

    resetdb()
    bag = DagBag(str(ROOT / "example_dags"))
    if bag.import_errors:
        print(json.dumps(bag.import_errors, indent=2))
        return 1
    with LocalOss() as oss, LocalDorisFE(oss=oss) as fe:
        bucket = oss.create_bucket(os.environ.setdefault("DORIS_OSS_DEMO_BUCKET", "demo-bucket"))
        oss.export_connection("doris_oss_default", bucket=bucket)
        fe.export_connection("doris_default")
        print(f"local OSS: {oss.endpoint} via {oss.proxy_url}; local Doris FE: {fe.host}:{fe.port}")
        for dag_id in DEMO_DAGS:
            dag = bag.get_dag(dag_id)
            if dag is None:
                print(f"{dag_id}: not found in example_dags")
                return 1
            run = dag.test()
            states = {ti.task_id: ti.state for ti in run.get_task_instances()}
            print(f"{dag_id}: {run.state} {states}")
            if run.state != "success":
                return 1
        database = os.environ.get("DORIS_OSS_DEMO_DATABASE", "demo")
        table = os.environ.get("DORIS_OSS_DEMO_TABLE", "orders")
        rows = DorisHook().get_first(f"SELECT COUNT(*) FROM `{database}`.`{table}`")[0]
        print(f"{database}.{table} holds {rows} rows loaded from OSS")
        for obj in oss.client().list_objects_v2(Bucket=bucket).get("Contents", []):
            print(f"  oss://{bucket}/{obj['Key']}  {obj['Size']} bytes")
        if not _flagship(oss, fe, bucket):
            print("The flagship loaded a wrong number of rows.")
            return 1
    print(
        "DEMO OK: staged, loaded, written back to OSS and exported, and each landed file version "
        "loaded exactly once in batches, all on the local stand-ins"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
