def test_dag_runner_runs_a_task(run_dag):
    result = run_dag(
        """
        import pendulum
        from airflow.sdk import DAG, task
        with DAG("{dag_id}", schedule=None, start_date=pendulum.datetime(2026, 1, 1)):
            @task
            def answer():
                return 6 * 7
            answer()
        """
    )
    assert result.state == "success"
    assert result.xcom("answer") == 42
