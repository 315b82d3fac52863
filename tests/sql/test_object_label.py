"""object_label: one Doris label per object version (bucket, key, ETag)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from airflow_provider_doris_oss.sql import DorisSqlError, next_label_attempt, validate_label
from airflow_provider_doris_oss.sql.labels import object_label


def test_same_version_same_label_and_any_change_a_new_one():
    label = object_label("lake", "landing/2026/orders-1.csv", '"9a0364b9e99bb480dd25e1f0284c8555"')
    assert label == object_label("lake", "landing/2026/orders-1.csv", "9a0364b9e99bb480dd25e1f0284c8555")
    assert label.startswith("oss_orders-1_csv_")
    others = {
        object_label("lake2", "landing/2026/orders-1.csv", "9a0364b9e99bb480dd25e1f0284c8555"),
        object_label("lake", "landing/2027/orders-1.csv", "9a0364b9e99bb480dd25e1f0284c8555"),
        object_label("lake", "landing/2026/orders-1.csv", "0000000000000000000000000000000b"),
    }
    assert label not in others and len(others) == 3


@given(
    bucket=st.text(min_size=1),
    key=st.text(min_size=1),
    etag=st.text(min_size=1).filter(lambda e: e.strip('"')),
)
def test_always_a_valid_label_with_room_for_retries(bucket: str, key: str, etag: str):
    label = object_label(bucket, key, etag)
    assert validate_label(label) == label
    assert next_label_attempt(label, 99) == label + "_r99"


@pytest.mark.parametrize(
    ("args", "field"), [(("", "k", "e"), "bucket"), (("b", "", "e"), "key"), (("b", "k", '""'), "etag")]
)
def test_empty_parts_are_refused_by_name(args: tuple[str, str, str], field: str):
    with pytest.raises(DorisSqlError, match=f"^{field}:"):
        object_label(*args)


def test_a_key_is_taken_exactly_quotes_and_all():
    """Only the ETag's surrounding quotes are ignored; a key made of quotes is a key like any other."""
    keys = ['"', '""', 'a/"', "a/", '"quoted".csv', "quoted.csv"]
    labels = [object_label("lake", key, '"9a0364b9e99bb480dd25e1f0284c8555"') for key in keys]
    assert all(validate_label(label) == label for label in labels)
    assert len(set(labels)) == len(keys)
