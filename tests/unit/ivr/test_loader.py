"""Tests for ivr.loader: flow files on disk, the `ivr check` function and YAML problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr import FlowValidationError, check_flows, load_flow, load_flows

GOOD = """
flow: tiny
languages: [en]
start: bye
nodes:
  bye: {type: hangup, prompt: Bye}
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_check_flows_returns_no_errors_for_valid_files(tmp_path: Path) -> None:
    """A directory of valid flows checks clean and loads by flow id."""
    write(tmp_path, "tiny.yaml", GOOD)
    assert check_flows(tmp_path) == []
    assert list(load_flows(tmp_path)) == ["tiny"]


def test_check_flows_reports_every_file_and_node(tmp_path: Path) -> None:
    """Problems in several files are all reported with their file names."""
    write(tmp_path, "a.yaml", GOOD.replace("hangup", "hang"))
    write(tmp_path, "b.yaml", GOOD.replace("start: bye", "start: hello"))
    errors = check_flows(tmp_path)
    assert [(Path(e.file).name, e.node) for e in errors] == [("a.yaml", "bye"), ("b.yaml", None)]


def test_invalid_yaml_is_reported_not_raised(tmp_path: Path) -> None:
    """A YAML syntax error is a FlowError for that file."""
    write(tmp_path, "broken.yaml", "nodes: [unclosed")
    errors = check_flows(tmp_path)
    assert len(errors) == 1 and errors[0].problem.startswith("not valid YAML")


def test_duplicate_node_ids_are_rejected(tmp_path: Path) -> None:
    """Two nodes with the same id in one file are an error, not a silent overwrite."""
    write(tmp_path, "dup.yaml", GOOD + "  bye: {type: hangup}\n")
    errors = check_flows(tmp_path)
    assert "duplicate key 'bye'" in errors[0].problem


def test_duplicate_flow_ids_are_rejected(tmp_path: Path) -> None:
    """Two files declaring the same flow id cannot both be loaded."""
    write(tmp_path, "one.yaml", GOOD)
    write(tmp_path, "two.yaml", GOOD)
    assert "flow id 'tiny' is also used by" in check_flows(tmp_path)[0].problem


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    """A flow directory with no flows is reported."""
    assert check_flows(tmp_path)[0].problem == "no flow files (*.yaml) found"


def test_load_flow_raises_with_all_errors(tmp_path: Path) -> None:
    """load_flow raises FlowValidationError listing every problem, readable as text."""
    path = write(
        tmp_path, "bad.yaml", GOOD.replace("start: bye", "start: x").replace("hangup", "hop")
    )
    with pytest.raises(FlowValidationError) as caught:
        load_flow(path)
    assert len(caught.value.errors) == 2
    assert "unknown node type 'hop'" in str(caught.value)
