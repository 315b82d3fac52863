"""Batch formation, content labels and manifests: functions of the object versions alone."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest

from airflow_provider_doris_oss.batches import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_FILES,
    Batch,
    ObjectVersion,
    check_limits,
    form_batches,
    snapshot_key,
    split_in_halves,
)
from airflow_provider_doris_oss.sql.labels import next_label_attempt, validate_label


def v(key: str, etag: str = "e1", size: int = 10, bucket: str = "lake") -> ObjectVersion:
    return ObjectVersion(bucket, key, etag, size)


def test_the_same_versions_in_any_order_give_the_same_batches_and_labels():
    versions = [v(f"inbox/{n:03d}.csv", size=n + 1) for n in range(57)]
    reference = form_batches(versions, max_files=10, max_bytes=10**9)
    for seed in range(5):
        shuffled = versions[:]
        random.Random(seed).shuffle(shuffled)
        again = form_batches(shuffled + shuffled[:7], max_files=10, max_bytes=10**9)  # duplicates too
        assert [b.label for b in again] == [b.label for b in reference]
    assert [len(b.members) for b in reference] == [10, 10, 10, 10, 10, 7]
    keys = [m.key for b in reference for m in b.members]
    assert keys == sorted(keys) and len(set(keys)) == 57


def test_batches_are_cut_by_bytes_and_an_oversized_object_is_a_batch_of_its_own():
    versions = [v("a", size=40), v("b", size=40), v("c", size=40), v("d", size=500), v("e", size=10)]
    batches = form_batches(versions, max_files=100, max_bytes=100)
    assert [[m.key for m in b.members] for b in batches] == [["a", "b"], ["c"], ["d"], ["e"]]
    assert all(b.size <= 100 for b in batches if len(b.members) > 1)


def test_the_label_covers_bucket_key_and_etag_exactly():
    base = Batch((v("k/a.csv"), v("k/b.csv")))
    assert Batch((v("k/b.csv"), v("k/a.csv"))).label == base.label
    assert Batch((v("k/a.csv"), v("k/b.csv", etag="e2"))).label != base.label
    assert Batch((v("k/a.csv"), v("k/b.csv", bucket="other"))).label != base.label
    assert Batch((v("k/a.csv"),)).label != base.label
    # Sizes are not part of a version's identity.
    assert Batch((v("k/a.csv", size=1), v("k/b.csv", size=2))).label == base.label
    # Quoted and bare ETags are one version.
    assert Batch((v("k/a.csv", etag='"e1"'), v("k/b.csv"))).label == base.label
    # A key made to look like two keys does not collide with them.
    assert Batch((v('k/a.csv", "k/b.csv'),)).label != base.label
    assert base.label.startswith("oss_batch_2f_")
    validate_label(next_label_attempt(base.label, 99))


def test_a_long_key_or_many_members_still_give_a_valid_label():
    batch = Batch(tuple(v("x/" + "ü" * 400 + f"{n}") for n in range(DEFAULT_MAX_FILES)))
    assert validate_label(batch.label) == batch.label
    assert len(batch.label) <= 116


def test_the_manifest_round_trips_and_is_the_same_bytes_for_the_same_batch():
    batch = Batch((v('inbox/b,\n"q".csv', size=5), v("inbox/a.csv", size=7)))
    body = batch.manifest()
    assert Batch((v("inbox/a.csv", size=7), v('inbox/b,\n"q".csv', size=5))).manifest() == body
    rows = json.loads(body)
    assert [r["object_key"] for r in rows] == ["inbox/a.csv", 'inbox/b,\n"q".csv']
    assert {r["batch_label"] for r in rows} == {batch.label}
    assert [r["version_id"] for r in rows] == [m.version_id for m in batch.members]
    again = Batch.from_manifest(body)
    assert again == batch and [m.size for m in again.members] == [7, 5]


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'[{"bucket": "b"}]', b'{"a": 1}'],
)
def test_a_damaged_manifest_is_refused(body):
    with pytest.raises(ValueError, match="not a batch manifest"):
        Batch.from_manifest(body)


def test_a_manifest_whose_label_does_not_match_its_members_is_refused():
    rows = json.loads(Batch((v("a"), v("b"))).manifest())
    with pytest.raises(ValueError, match="its rows name"):
        Batch.from_manifest(json.dumps(rows[:1]).encode())


def test_a_folder_marker_is_not_a_file_to_load():
    assert v("inbox/folder/").is_folder and not v("inbox/a.csv").is_folder


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("inbox/a.csv", "inbox/a.csv"),
        ("inbox/dt=2026-01-01/東京 a.csv.gz", "inbox/dt=2026-01-01/東京 a.csv.gz"),
        ("inbox/a*.csv", "inbox/a_.csv"),
        ("inbox/a?[1].csv", "inbox/a__1_.csv"),
        ("inbox/{{ ds }}.csv", "inbox/__ ds __.csv"),
        ("inbox/a\\b.csv", "inbox/a_b.csv"),
    ],
)
def test_a_snapshot_keeps_the_key_but_never_a_pattern(key, name):
    version = v(key)
    assert snapshot_key("state/snapshots/", version) == f"state/snapshots/{version.version_id}/{name}"


def test_a_snapshot_of_a_very_long_key_keeps_its_file_name_within_oss_limits():
    version = v("d/" * 500 + "ü" * 100 + ".csv.gz")
    key = snapshot_key("state/snapshots/", version)
    assert len(key.encode()) <= 1023 and key.endswith(".csv.gz") and version.version_id in key


def test_split_in_halves_isolates_any_one_member_within_log2_failures():
    batch = Batch(tuple(v(f"f{n:04d}") for n in range(1000)))
    poison = batch.members[613]
    rounds = 0
    while len(batch.members) > 1:
        halves = split_in_halves(batch)
        assert len(halves) == 2 and sum(len(h.members) for h in halves) == len(batch.members)
        batch = next(h for h in halves if poison in h.members)
        rounds += 1
    assert batch.members == (poison,) and rounds == 10
    assert split_in_halves(batch) == [batch]  # alone, it keeps its label


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 10), "max_files: 0 must be a positive integer"),
        ((10, -1), "max_bytes: -1 must be a positive integer"),
        (("10", 10), "max_files: '10' must be a positive integer"),
        ((True, 10), "max_files: True must be a positive integer"),
    ],
)
def test_limits_are_checked_and_the_error_names_the_argument(args, message):
    with pytest.raises(ValueError, match=message):
        check_limits(*args)
    with pytest.raises(ValueError, match=message):
        form_batches([v("a")], max_files=args[0], max_bytes=args[1])


def test_defaults_follow_doris_guidance():
    assert (DEFAULT_MAX_FILES, DEFAULT_MAX_BYTES) == (1000, 10 * 1024**3)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"bucket": "b", "key": "k"}, "etag missing"),
        ({"bucket": "b", "key": "", "etag": "e"}, "key: '' must be a non-empty string"),
        ({"bucket": "b", "key": "k", "etag": '""'}, "etag"),
        ("oss://b/k", "is not an object event's payload"),
    ],
)
def test_a_payload_that_names_no_version_is_refused_naming_the_field(payload, message):
    with pytest.raises(ValueError, match=message):
        ObjectVersion.from_payload(payload)


def test_a_batch_refuses_a_version_twice_and_an_empty_member_list():
    with pytest.raises(ValueError, match="appears twice"):
        Batch((v("a"), v("a", size=99)))
    with pytest.raises(ValueError, match="at least one"):
        Batch(())


def test_importing_the_batch_modules_imports_nothing_heavy():
    code = (
        "import sys, airflow_provider_doris_oss.batches, airflow_provider_doris_oss.batch_ledger; "
        "print(sorted(m for m in ('boto3', 'botocore', 'pymysql', 'sqlglot', 'duckdb', 'pyarrow') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"
