"""IVR flows are checked by `contactcentre ivr check` and at start-up, naming file and node."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from contactcentre.app import create_app
from contactcentre.cli import main
from contactcentre.settings import Settings
from ivr import FlowValidationError

BROKEN = """
flow: main
languages: [en]
default_language: en
start: welcome
nodes:
  welcome:
    type: say
    prompt: {en: Hello}
    next: nowhere
"""


@pytest.fixture
def broken_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "flows"
    folder.mkdir()
    (folder / "main.yaml").write_text(BROKEN)
    return folder


def test_shipped_flows_pass_the_check() -> None:
    """The default flows under config/ivr are valid."""
    result = CliRunner().invoke(main, ["ivr", "check"])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_broken_flow_fails_the_check_naming_file_and_node(broken_dir: Path) -> None:
    """A dangling `next` is reported with the file and the node, and the command exits 1."""
    result = CliRunner().invoke(main, ["ivr", "check", str(broken_dir)])
    assert result.exit_code == 1
    assert "main.yaml" in result.output
    assert "welcome" in result.output
    assert "nowhere" in result.output


def test_broken_flow_stops_start_up(
    settings: Settings, redis_client: Any, broken_dir: Path
) -> None:
    """The web process refuses to start with an invalid flow, saying what is wrong."""
    with pytest.raises(FlowValidationError, match="welcome"):
        create_app(settings.model_copy(update={"ivr_flows_dir": broken_dir}))
