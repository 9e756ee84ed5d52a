"""The 'Try an example file' records: invented, labelled as such, and read by the page like a real upload."""

from __future__ import annotations

import json

import pytest

from insight.uploads import analyse as byod
from insight.uploads import example as byod_example
from insight.uploads.sandbox import read_upload


@pytest.mark.parametrize("kind", list(byod_example.FORMATS))
def test_each_format_reads_like_an_upload_and_says_it_is_invented(kind: str) -> None:
    example = byod_example.example_file(kind)
    assert "invented-example" in example.name and example.file_id == f"example-{kind}"
    upload = read_upload(example.getvalue(), name=example.name)
    assert len(upload.frame) == 180
    mapping = byod.detect_mapping(upload.frame)
    assert mapping.location_kind == "lad" and mapping.date is not None
    text = " ".join(upload.frame.astype(str).to_numpy().ravel())
    assert byod_example.LABEL in text  # every format says so inside the data, not only in its name
    if kind == "json":
        assert mapping.amount == "Amount Awarded"
        assert json.loads(example.getvalue())["note"].startswith(byod_example.LABEL)
    else:
        assert (mapping.location, mapping.count, mapping.category) == ("District code", "People supported", "Service")
        assert upload.sheet in (None, "Invented example records")


def test_records_cover_every_district_and_service_evenly() -> None:
    frame = byod_example.records()
    assert frame["District code"].value_counts().tolist() == [byod_example.PER_DISTRICT] * len(byod_example.DISTRICTS)
    assert set(frame["Service"]) == set(byod_example.SERVICES)
    assert frame["Record ID"].is_unique and frame["Note"].str.startswith(byod_example.LABEL).all()
