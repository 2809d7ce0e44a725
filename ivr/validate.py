"""Builds a Flow from parsed YAML and checks it as a graph: dangling branches, unreachable
nodes and loops that can never reach a terminal node; every problem is reported, not the first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ivr import nodes as n
from ivr.errors import FlowError
from ivr.fields import NodeFields
from ivr.parse import BUILDERS
from ivr.prompts import DEFAULT_MESSAGES, LocalizedText

_TERMINAL_NAMES = "enqueue, voicemail, callback, transfer or hangup"


def build_flow(raw: Any, file: str) -> tuple[n.Flow | None, list[FlowError]]:
    """The flow and no errors, or None and every problem found in the file."""
    errors: list[FlowError] = []
    if not isinstance(raw, Mapping):
        return None, [FlowError(file, None, "a flow file must be a mapping with 'nodes'")]
    f = NodeFields(raw, file=file, node=None, languages=(), errors=errors)
    flow_id = f.text("flow") or file.rsplit("/", 1)[-1].removesuffix(".yaml")
    languages = _languages(f)
    f.languages = languages
    default_language = f.choice("default_language", languages[0], languages)
    voices = f.value("voices") or {}
    if not isinstance(voices, Mapping):
        f.problem("'voices' must map language codes to voice names")
        voices = {}
    messages = {
        name: f.prompt(f"{name}_message", required=False) or LocalizedText(texts)
        for name, texts in DEFAULT_MESSAGES.items()
    }
    start = f.ref("start")
    raw_nodes = f.value("nodes")
    nodes: dict[str, n.Node] = {}
    if not isinstance(raw_nodes, Mapping) or not raw_nodes:
        f.problem("'nodes' must map node ids to node definitions")
        raw_nodes = {}
    for node_id, raw_node in raw_nodes.items():
        node = _build_node(str(node_id), raw_node, file, languages, errors)
        if node is not None:
            nodes[str(node_id)] = node
    flow = n.Flow(
        id=flow_id,
        file=file,
        start=start,
        nodes=nodes,
        languages=languages,
        default_language=default_language,
        voices={str(k): str(v) for k, v in voices.items()},
        timezone=f.text("timezone", "UTC") or "UTC",
        min_confidence=f.number("min_confidence", 0.4, 0.0, 1.0),
        messages=messages,
    )
    f.report_unknown()
    if start and start not in raw_nodes:
        errors.append(FlowError(file, None, f"'start' points to unknown node '{start}'"))
    errors.extend(check_graph(flow, known=set(map(str, raw_nodes))))
    return (None, errors) if errors else (flow, [])


def _languages(f: NodeFields) -> tuple[str, ...]:
    raw = f.value("languages") or ["en"]
    if not isinstance(raw, list) or not raw or not all(isinstance(x, str) for x in raw):
        f.problem("'languages' must be a list of language codes like [en, es]")
        return ("en",)
    return tuple(raw)


def _build_node(
    node_id: str, raw: Any, file: str, languages: tuple[str, ...], errors: list[FlowError]
) -> n.Node | None:
    if not isinstance(raw, Mapping):
        errors.append(FlowError(file, node_id, "a node must be a mapping with a 'type'"))
        return None
    node_type = raw.get("type")
    builder = BUILDERS.get(node_type) if isinstance(node_type, str) else None
    if builder is None:
        known = ", ".join(sorted(BUILDERS))
        errors.append(FlowError(file, node_id, f"unknown node type {node_type!r} (known: {known})"))
        return None
    f = NodeFields(raw, file=file, node=node_id, languages=languages, errors=errors)
    node = builder(f, node_id)
    f.report_unknown()
    return node


def check_graph(flow: n.Flow, known: set[str]) -> list[FlowError]:
    """Dangling branches, unreachable nodes and exitless loops of a flow's node graph.

    `known` holds every node id in the file, including nodes rejected for other reasons, so one
    bad node does not also make every branch to it look dangling.
    """
    errors: list[FlowError] = []
    edges: dict[str, list[str]] = {}
    for node_id, node in flow.nodes.items():
        edges[node_id] = []
        for label, target in node.targets().items():
            if not target:
                continue  # already reported as missing
            if target not in known:
                errors.append(
                    FlowError(flow.file, node_id, f"'{label}' points to unknown node '{target}'")
                )
            elif target in flow.nodes:
                edges[node_id].append(target)
    if flow.start not in flow.nodes or len(flow.nodes) < len(known):
        # A rejected node hides its branches, so reachability would only add false alarms.
        return errors
    reachable = _walk([flow.start], edges)
    for node_id in flow.nodes:
        if node_id not in reachable:
            problem = f"unreachable: no path leads here from '{flow.start}'"
            errors.append(FlowError(flow.file, node_id, problem))
    errors.extend(_exitless_loops(flow, edges, reachable))
    return errors


def _walk(roots: list[str], edges: Mapping[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        node_id = stack.pop()
        if node_id not in seen:
            seen.add(node_id)
            stack.extend(edges.get(node_id, []))
    return seen


def _exitless_loops(
    flow: n.Flow, edges: Mapping[str, list[str]], reachable: set[str]
) -> list[FlowError]:
    reverse: dict[str, list[str]] = {node_id: [] for node_id in edges}
    for source, targets in edges.items():
        for target in targets:
            reverse[target].append(source)
    terminals = [i for i, node in flow.nodes.items() if isinstance(node, n.TERMINAL_NODES)]
    can_finish = _walk(terminals, reverse)
    stuck = {i for i in reachable if i not in can_finish}
    errors = []
    for component in _cycles(stuck, edges):
        ordered = [i for i in flow.nodes if i in component]
        cycle = " -> ".join([*ordered, ordered[0]])
        errors.append(
            FlowError(
                flow.file,
                ordered[0],
                f"loop with no exit: {cycle} never reaches a terminal node ({_TERMINAL_NAMES})",
            )
        )
    return errors


def _cycles(nodes: set[str], edges: Mapping[str, list[str]]) -> list[set[str]]:
    """Strongly connected components of `nodes` that contain a cycle (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, []):
            if w not in nodes:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component: set[str] = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1 or v in edges.get(v, []):
                found.append(component)

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return found
