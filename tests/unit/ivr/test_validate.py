"""Tests for ivr.validate: invalid flows are rejected with file, node and problem, all at once."""

from __future__ import annotations

from ivr.validate import build_flow

from .fakes import inline_errors, inline_flow

BYE = {"type": "hangup"}


def _menu(**extra: object) -> dict[str, object]:
    return {
        "type": "menu",
        "prompt": "Press 1",
        "options": [{"key": 1, "next": "bye"}],
        **extra,
    }


def test_a_valid_flow_builds() -> None:
    """A flow whose every node is reachable and ends in a terminal node is accepted."""
    flow = inline_flow({"hello": {"type": "say", "prompt": "Hi", "next": "bye"}, "bye": BYE})
    assert flow.start == "hello"
    assert set(flow.nodes) == {"hello", "bye"}


def test_unknown_node_type_is_rejected() -> None:
    """An unknown node type names the node and lists the known types."""
    errors = inline_errors({"hello": {"type": "sing", "next": "bye"}, "bye": BYE})
    assert [(e.file, e.node) for e in errors] == [("test.yaml", "hello")]
    assert "unknown node type 'sing'" in errors[0].problem
    assert "menu" in errors[0].problem


def test_dangling_reference_is_rejected() -> None:
    """A `next` to a node that does not exist names the branch and the missing node."""
    errors = inline_errors({"hello": {"type": "say", "prompt": "Hi", "next": "nowhere"}})
    assert len(errors) == 1
    assert errors[0].node == "hello"
    assert errors[0].problem == "'next' points to unknown node 'nowhere'"


def test_dangling_menu_option_is_rejected() -> None:
    """A menu option pointing at a missing node is reported with its key."""
    menu = _menu(default="bye", options=[{"key": 1, "next": "ghost"}])
    errors = inline_errors({"menu": menu, "bye": BYE})
    assert [str(e) for e in errors] == [
        "test.yaml: node 'menu': 'option 1' points to unknown node 'ghost'"
    ]


def test_unreachable_node_is_rejected() -> None:
    """A node no path leads to from the start node is reported."""
    errors = inline_errors({"bye": BYE, "orphan": {"type": "hangup"}})
    assert [(e.node, e.problem) for e in errors] == [
        ("orphan", "unreachable: no path leads here from 'bye'")
    ]


def test_menu_without_invalid_and_no_input_branches_is_rejected() -> None:
    """A menu needs somewhere to send callers who say nothing or press a wrong key."""
    errors = inline_errors({"menu": _menu(), "bye": BYE})
    problems = sorted(e.problem for e in errors)
    assert all(e.node == "menu" for e in errors)
    assert len(problems) == 2
    assert problems[0].startswith("no 'invalid' branch")
    assert problems[1].startswith("no 'no_input' branch")


def test_menu_with_only_no_input_branch_still_needs_invalid() -> None:
    """Giving `no_input` alone is not enough: `invalid` (or `default`) is required too."""
    errors = inline_errors({"menu": _menu(no_input="bye"), "bye": BYE})
    assert [e.problem.split(":")[0] for e in errors] == ["no 'invalid' branch"]


def test_loop_with_no_exit_is_rejected() -> None:
    """A cycle from which no terminal node can be reached is named with its members."""
    errors = inline_errors(
        {
            "start": {"type": "say", "prompt": "Hi", "next": "a"},
            "a": {"type": "say", "prompt": "A", "next": "b"},
            "b": {"type": "set", "attributes": {"x": 1}, "next": "a"},
        }
    )
    assert len(errors) == 1
    assert errors[0].node == "a"
    assert errors[0].problem.startswith("loop with no exit: a -> b -> a never reaches")


def test_loop_with_an_exit_is_accepted() -> None:
    """A menu that can loop back to itself is fine when one branch leads to a terminal node."""
    flow = inline_flow(
        {
            "menu": _menu(
                options=[{"key": 1, "next": "again"}, {"key": 2, "next": "bye"}], default="bye"
            ),
            "again": {"type": "say", "prompt": "Again", "next": "menu"},
            "bye": BYE,
        }
    )
    assert "again" in flow.nodes


def test_menu_loop_whose_every_branch_returns_is_rejected() -> None:
    """A menu whose options and fallbacks all lead back to it has no exit."""
    menu = _menu(options=[{"key": 1, "next": "menu"}], default="menu")
    errors = inline_errors({"hello": {"type": "say", "prompt": "Hi", "next": "menu"}, "menu": menu})
    assert [e.node for e in errors] == ["menu"]
    assert "loop with no exit: menu -> menu" in errors[0].problem


def test_all_problems_are_reported_together() -> None:
    """Several problems in one file are all reported, not just the first."""
    errors = inline_errors(
        {
            "hello": {"type": "say", "prompt": {"en": "Hi"}, "next": "menu"},
            "menu": _menu(options=[{"key": 1, "next": "ghost"}]),
            "weird": {"type": "dance"},
            "bye": BYE,
        }
    )
    problems = {(e.node, e.problem.split(" ")[0]) for e in errors}
    assert ("hello", "'prompt'") in problems  # no Spanish text
    assert ("menu", "no") in problems  # missing invalid / no_input
    assert ("menu", "'option") in problems  # dangling
    assert ("weird", "unknown") in problems
    assert len(errors) >= 5


def test_prompt_missing_a_language_is_rejected() -> None:
    """Every prompt must exist in every language of the flow."""
    errors = inline_errors({"bye": {"type": "hangup", "prompt": {"en": "Bye"}}})
    assert [e.problem for e in errors] == ["'prompt' has no 'es' text"]


def test_unknown_field_is_rejected() -> None:
    """A misspelt field such as `nxt` is reported rather than silently ignored."""
    errors = inline_errors({"hello": {"type": "say", "prompt": "Hi", "nxt": "bye"}, "bye": BYE})
    problems = {e.problem for e in errors}
    assert "unknown field 'nxt'" in problems
    assert "missing 'next' (the id of the node to go to)" in problems


def test_missing_start_node_is_a_flow_level_error() -> None:
    """A start pointing nowhere is reported against the flow, not a node."""
    errors = inline_errors({"bye": BYE}, start="welcome")
    assert [(e.node, e.problem) for e in errors] == [
        (None, "'start' points to unknown node 'welcome'")
    ]
    assert str(errors[0]) == "test.yaml: flow: 'start' points to unknown node 'welcome'"


def test_bad_condition_is_rejected() -> None:
    """A branch condition that cannot be read is reported with what to write instead."""
    branch = {"type": "branch", "rules": [{"when": "segment ~ gold", "next": "bye"}]}
    errors = inline_errors({"b": {**branch, "default": "bye"}, "bye": BYE})
    assert errors[0].node == "b"
    assert "cannot read condition 'segment ~ gold'" in errors[0].problem


def test_set_language_outside_the_flow_is_rejected() -> None:
    """Setting a language the flow has no prompts for is an error."""
    node = {"type": "set", "attributes": {"language": "fr"}, "next": "bye"}
    errors = inline_errors({"s": node, "bye": BYE})
    assert "not one of the flow languages" in errors[0].problem


def test_bad_time_zone_and_opening_range_are_rejected() -> None:
    """Business hours need an IANA time zone and ranges like 09:00-18:00."""
    hours: dict[str, object] = {
        "type": "hours",
        "timezone": "Mars/Olympus",
        "open": "bye",
        "closed": "bye",
    }
    assert "unknown IANA time zone" in inline_errors({"h": hours, "bye": BYE})[0].problem
    hours = {**hours, "timezone": "UTC", "weekly": {"mon": ["9-18"]}}
    assert "opening range must look like" in inline_errors({"h": hours, "bye": BYE})[0].problem


def test_transfer_needs_a_phone_number() -> None:
    """A transfer to something that is not a phone number is rejected."""
    errors = inline_errors({"t": {"type": "transfer", "number": "reception"}})
    assert "'number' must be a phone number" in errors[0].problem


def test_duplicate_menu_keys_are_rejected() -> None:
    """Two options on the same key would make one unreachable by keypad."""
    menu = _menu(options=[{"key": 1, "next": "bye"}, {"key": "1", "next": "bye"}], default="bye")
    errors = inline_errors({"menu": menu, "bye": BYE})
    assert [e.problem for e in errors] == ["option key '1' is used twice"]


def test_a_flow_file_must_be_a_mapping() -> None:
    """A YAML list or scalar is not a flow."""
    flow, errors = build_flow(["not", "a", "flow"], "x.yaml")
    assert flow is None
    assert str(errors[0]) == "x.yaml: flow: a flow file must be a mapping with 'nodes'"
