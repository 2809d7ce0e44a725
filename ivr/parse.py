"""Turns the raw YAML of one node into its typed dataclass, one builder per node type.
Problems are collected into the shared error list; graph checks come later in ivr/validate.py."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ivr import nodes as n
from ivr.calendar import parse_calendar
from ivr.conditions import parse_condition
from ivr.fields import NodeFields
from ivr.prompts import LocalizedText

VALIDATIONS = ("customer_account",)
FORMATS = ("digits", "email")


def _retry(f: NodeFields) -> n.Retry:
    """Input nodes must say where a silent or confused caller goes after the last attempt."""
    default = f.text("default")
    for branch in ("no_input", "invalid"):
        if default is None and not f.has(branch):
            f.problem(
                f"no '{branch}' branch: add '{branch}' or 'default' so a caller who "
                f"{'says nothing' if branch == 'no_input' else 'gives a wrong answer'} is not stuck"
            )
    return n.Retry(
        no_input=f.ref("no_input", default or ""),
        invalid=f.ref("invalid", default or ""),
        max_attempts=f.integer("max_attempts", 3, 1, 10),
        timeout=f.integer("timeout", 5, 1, 60),
        no_input_prompt=f.prompt("no_input_prompt", required=False),
        invalid_prompt=f.prompt("invalid_prompt", required=False),
    )


def _say(f: NodeFields, node_id: str) -> n.Node:
    prompt = f.prompt("prompt")
    assert prompt is not None
    return n.SayNode(node_id, prompt, f.ref("next"), f.flag("multilingual", False))


def _play(f: NodeFields, node_id: str) -> n.Node:
    url = f.prompt("url")
    assert url is not None
    return n.PlayNode(node_id, url, f.ref("next"))


def _option(f: NodeFields, raw: Any, seen: set[str]) -> n.MenuOption | None:
    if not isinstance(raw, Mapping):
        f.problem(f"each option must be a mapping with 'key' and 'next', got {raw!r}")
        return None
    key, target = raw.get("key"), raw.get("next")
    key = str(key) if isinstance(key, int | str) and not isinstance(key, bool) else None
    if key is None or not re.fullmatch(r"[0-9*#]{1,4}", key):
        f.problem(f"option key must be keypad keys (0-9, *, #), got {raw.get('key')!r}")
        return None
    if key in seen:
        f.problem(f"option key '{key}' is used twice")
    seen.add(key)
    if not isinstance(target, str) or not target:
        f.problem(f"option '{key}' has no 'next' node")
        target = ""
    keywords: dict[str, tuple[str, ...]] = {}
    raw_keywords = raw.get("keywords", {})
    if isinstance(raw_keywords, Mapping):
        for lang, raw_words in raw_keywords.items():
            words = [raw_words] if isinstance(raw_words, str) else raw_words
            if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                f.problem(f"option '{key}' keywords for '{lang}' must be a list of words")
                continue
            keywords[str(lang)] = tuple(words)
    else:
        f.problem(f"option '{key}' keywords must map languages to word lists")
    settings = raw.get("set", {})
    if not isinstance(settings, Mapping):
        f.problem(f"option '{key}' 'set' must map attribute names to values")
        settings = {}
    if "language" in settings and settings["language"] not in f.languages:
        f.problem(f"option '{key}' sets language {settings['language']!r}, not a flow language")
    unknown = set(raw) - {"key", "next", "keywords", "set"}
    if unknown:
        f.problem(f"option '{key}' has unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    return n.MenuOption(key, target, keywords, dict(settings))


def _menu(f: NodeFields, node_id: str) -> n.Node:
    raw_options = f.value("options")
    options: list[n.MenuOption] = []
    if not isinstance(raw_options, list) or not raw_options:
        f.problem("a menu needs a non-empty list of 'options'")
    else:
        seen: set[str] = set()
        options = [o for raw in raw_options if (o := _option(f, raw, seen)) is not None]
    prompt = f.prompt("prompt")
    assert prompt is not None
    kind = f.gather_kind("both")
    return n.MenuNode(
        node_id,
        prompt,
        tuple(options),
        _retry(f),
        kind,
        f.flag("multilingual", False),
    )


def _collect(f: NodeFields, node_id: str) -> n.Node:
    prompt = f.prompt("prompt")
    assert prompt is not None
    value_format = f.choice("format", "digits", FORMATS)
    if value_format == "email":
        return _collect_email(f, node_id, prompt)
    min_length = f.integer("min_length", 1, 1, 32)
    max_length = f.integer("max_length", max(min_length, 20), 1, 32)
    if max_length < min_length:
        f.problem(f"max_length {max_length} is less than min_length {min_length}")
    pattern = f.text("pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            f.problem(f"'pattern' is not a valid regular expression: {exc}")
            pattern = None
    validate = f.text("validate")
    if validate is not None and validate not in VALIDATIONS:
        f.problem(f"'validate' must be one of {', '.join(VALIDATIONS)}, got {validate!r}")
        validate = None
    return n.CollectNode(
        node_id,
        prompt,
        f.identifier("attribute"),
        f.ref("next"),
        _retry(f),
        min_length=min_length,
        max_length=max_length,
        pattern=pattern,
        validate=validate,
        finish_on_key=f.choice("finish_on_key", "#", ("#", "*", "")),
        input=f.gather_kind("dtmf"),
    )


def _collect_email(f: NodeFields, node_id: str, prompt: LocalizedText) -> n.Node:
    """An email address can only be typed (chat) or said; keys and digit rules do not apply."""
    for name in ("min_length", "max_length", "pattern", "validate", "finish_on_key"):
        if f.has(name):
            f.value(name)
            f.problem(f"'{name}' does not apply to 'format: email'; remove it")
    kind = f.gather_kind("speech")
    if kind == "dtmf":
        f.problem("'format: email' needs 'input: speech' (typed in chat); keys cannot spell one")
    return n.CollectNode(
        node_id,
        prompt,
        f.identifier("attribute"),
        f.ref("next"),
        _retry(f),
        min_length=3,
        max_length=254,
        finish_on_key="",
        input=kind,
        format="email",
    )


def _hours(f: NodeFields, node_id: str) -> n.Node:
    timezone = f.text("timezone", "UTC") or "UTC"
    weekly, holidays = f.value("weekly") or {}, f.value("holidays") or []
    try:
        if not isinstance(weekly, Mapping) or not all(isinstance(v, list) for v in weekly.values()):
            raise ValueError("'weekly' must map weekdays (mon..sun) to lists like ['09:00-18:00']")
        if not isinstance(holidays, list):
            raise ValueError("'holidays' must be a list of dates (YYYY-MM-DD or MM-DD)")
        calendar = parse_calendar(timezone, weekly, holidays)
    except ValueError as exc:
        f.problem(str(exc))
        calendar = parse_calendar("UTC", {}, [])
    closed = f.ref("closed")
    return n.HoursNode(node_id, calendar, f.ref("open"), closed, f.ref("holiday", closed or None))


def _identify(f: NodeFields, node_id: str) -> n.Node:
    return n.IdentifyNode(node_id, f.ref("known"), f.ref("unknown"))


def _branch(f: NodeFields, node_id: str) -> n.Node:
    rules: list[n.BranchRule] = []
    raw_rules = f.value("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        f.problem("a branch needs a non-empty list of 'rules' ({when: ..., next: ...})")
        raw_rules = []
    for raw in raw_rules:
        if not isinstance(raw, Mapping) or not isinstance(raw.get("next"), str):
            f.problem(f"each rule needs 'when' and 'next', got {raw!r}")
            continue
        when = raw.get("when")
        texts = [when] if isinstance(when, str) else when
        if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
            f.problem(f"rule 'when' must be a condition or a list of them, got {when!r}")
            continue
        try:
            conditions = tuple(parse_condition(t) for t in texts)
        except ValueError as exc:
            f.problem(str(exc))
            continue
        rules.append(n.BranchRule(conditions, raw["next"]))
    return n.BranchNode(node_id, tuple(rules), f.ref("default"))


def _set(f: NodeFields, node_id: str) -> n.Node:
    attributes = f.scalars("attributes")
    if "language" in attributes and attributes["language"] not in f.languages:
        f.problem(f"sets language {attributes['language']!r}, not one of the flow languages")
    priority = f.text("priority")
    if priority is not None and not re.fullmatch(r"[+-]?\d{1,4}", priority):
        f.problem(f"'priority' must be a number like 5, +2 or -1, got {priority!r}")
        priority = None
    if not attributes and priority is None:
        f.problem("a set node needs 'attributes' or 'priority'")
    return n.SetNode(node_id, attributes, f.ref("next"), priority)


def _self_service(kind: str) -> Callable[[NodeFields, str], n.Node]:
    def build(f: NodeFields, node_id: str) -> n.Node:
        prompt = f.prompt("prompt")
        assert prompt is not None
        return n.SelfServiceNode(node_id, kind, prompt, f.ref("next"), f.ref("unavailable"))

    return build


def _order_status(f: NodeFields, node_id: str) -> n.Node:
    prompt = f.prompt("prompt")
    assert prompt is not None
    number = f.identifier("number_attribute") if f.has("number_attribute") else "order_number"
    email = f.identifier("email_attribute") if f.has("email_attribute") else "order_email"
    return n.OrderStatusNode(
        node_id,
        prompt,
        f.ref("next"),
        f.ref("unavailable"),
        f.ref("exhausted"),
        number_attribute=number,
        email_attribute=email,
        max_failures=f.integer("max_failures", 3, 1, 10),
    )


def _book_callback(f: NodeFields, node_id: str) -> n.Node:
    intro, slot_prompt, confirm = f.prompt("intro"), f.prompt("slot_prompt"), f.prompt("confirm")
    assert intro is not None and slot_prompt is not None and confirm is not None
    return n.BookCallbackNode(
        node_id,
        intro,
        slot_prompt,
        confirm,
        f.ref("next"),
        f.ref("no_slots"),
        _retry(f),
        f.integer("max_slots", 3, 1, 9),
    )


def _enqueue(f: NodeFields, node_id: str) -> n.Node:
    return n.EnqueueNode(node_id, f.text("intent"), f.text("queue"), f.prompt("prompt", False))


def _voicemail(f: NodeFields, node_id: str) -> n.Node:
    prompt = f.prompt("prompt")
    assert prompt is not None
    return n.VoicemailNode(
        node_id, prompt, f.integer("max_length", 120, 5, 3600), f.flag("transcribe", True)
    )


def _callback(f: NodeFields, node_id: str) -> n.Node:
    return n.CallbackNode(node_id, f.prompt("prompt", False))


def _transfer(f: NodeFields, node_id: str) -> n.Node:
    number, caller_id = f.text("number"), f.text("caller_id")
    for name, value in (("number", number), ("caller_id", caller_id)):
        if (value is not None or name == "number") and not re.fullmatch(
            r"\+?[0-9]{3,15}", value or ""
        ):
            f.problem(f"'{name}' must be a phone number like +15550100, got {value!r}")
    return n.TransferNode(node_id, number or "+000", caller_id, f.prompt("prompt", False))


def _hangup(f: NodeFields, node_id: str) -> n.Node:
    return n.HangupNode(node_id, f.prompt("prompt", False))


BUILDERS: dict[str, Callable[[NodeFields, str], n.Node]] = {
    "say": _say,
    "play": _play,
    "menu": _menu,
    "collect": _collect,
    "hours": _hours,
    "identify": _identify,
    "branch": _branch,
    "set": _set,
    "balance": _self_service("balance"),
    "last_order": _self_service("last_order"),
    "order_status": _order_status,
    "book_callback": _book_callback,
    "enqueue": _enqueue,
    "voicemail": _voicemail,
    "callback": _callback,
    "transfer": _transfer,
    "hangup": _hangup,
}
