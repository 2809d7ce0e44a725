"""Loads IVR flow files (config/ivr/*.yaml) and checks them, for the app and `contactcentre ivr
check`; every problem in every file is reported as a FlowError naming file, node and problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ivr.errors import FlowError, FlowValidationError
from ivr.nodes import Flow
from ivr.validate import build_flow


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys: a second node with the same id would silently win."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def parse_flow_text(text: str, file: str) -> tuple[Flow | None, list[FlowError]]:
    """Parse and validate one flow from YAML text; `file` is only used in messages."""
    try:
        raw = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        return None, [FlowError(file, None, f"not valid YAML: {' '.join(str(exc).split())}")]
    return build_flow(raw, file)


def load_flow(path: str | Path) -> Flow:
    """Load one flow file; raises FlowValidationError listing every problem."""
    path = Path(path)
    flow, errors = parse_flow_text(path.read_text(encoding="utf-8"), str(path))
    if flow is None:
        raise FlowValidationError(errors)
    return flow


def _flow_files(directory: str | Path) -> list[Path]:
    return sorted(Path(directory).glob("*.yaml")) + sorted(Path(directory).glob("*.yml"))


def check_flows(directory: str | Path) -> list[FlowError]:
    """Every problem in every flow file of `directory`; an empty list means all flows are valid."""
    files = _flow_files(directory)
    if not files:
        return [FlowError(str(directory), None, "no flow files (*.yaml) found")]
    errors: list[FlowError] = []
    ids: dict[str, Path] = {}
    for path in files:
        flow, problems = parse_flow_text(path.read_text(encoding="utf-8"), str(path))
        errors.extend(problems)
        if flow is not None:
            if flow.id in ids:
                clash = f"flow id '{flow.id}' is also used by {ids[flow.id]}"
                errors.append(FlowError(str(path), None, clash))
            ids[flow.id] = path
    return errors


def load_flows(directory: str | Path) -> dict[str, Flow]:
    """All flows of `directory` by flow id; raises FlowValidationError if any file is invalid."""
    errors = check_flows(directory)
    if errors:
        raise FlowValidationError(errors)
    return {flow.id: flow for flow in map(load_flow, _flow_files(directory))}
