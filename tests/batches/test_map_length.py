"""What Airflow 3.3 does with a run that maps one task per event past ``max_map_length`` (1,024).

The flagship used to return one load per event from its planning task. With more than 1,024
events in one run, the execution API refuses that XCom ("pushed value is too large to map"):
the planning task fails on every try and its run fails, after the run consumed the events, so
nothing loads them. The batched flagship maps one task per batch instead
(``test_batch_ledger.test_a_run_handed_more_than_1024_events_loads_them_in_two_batches``) and caps
a run at ``min(100, max_map_length)`` batches, leaving the rest open for the next run.
"""

from __future__ import annotations

DAG = """
from airflow.sdk import DAG, task

with DAG("{dag_id}", schedule=None, catchup=False):
    @task
    def one_per_event():
        return [{"n": n} for n in range(1025)]

    @task
    def load(n):
        return n

    load.expand_kwargs(one_per_event())
"""


def test_mapping_one_task_per_event_fails_the_run_past_max_map_length(run_dag, capfd):
    result = run_dag(DAG)
    assert result.state == "failed"
    assert result.task_states["one_per_event"] == "failed"
    assert result.task_states["load"] == "upstream_failed"
    out, err = capfd.readouterr()
    assert "too large to map" in out + err
