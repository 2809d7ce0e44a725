"""Call scripts from config/scripts/*.yaml, chosen by the contact's intent, then its queue.

Placeholders such as {customer_first_name} are filled in; unknown ones are left as written. A step
may say something else to a caller not on record (`say_unknown`), who has no name to greet.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from contactcentre.settings import PROJECT_ROOT

SCRIPTS_DIR = PROJECT_ROOT / "config" / "scripts"
FALLBACK = "general"
COMPANY = "Acme"


@dataclass(frozen=True)
class CallScript:
    key: str
    title: str
    queues: tuple[str, ...]
    intents: tuple[str, ...]
    steps: tuple[tuple[str, str, str], ...]  # (title, what to say, to a caller not on record)

    def __post_init__(self) -> None:
        if not self.title or not self.steps:
            raise ValueError(f"call script {self.key}: needs a title and at least one step")


@lru_cache(maxsize=4)
def load_scripts(directory: Path = SCRIPTS_DIR) -> dict[str, CallScript]:
    scripts = {}
    for path in sorted(directory.glob("*.yaml")):
        data: dict[str, Any] = yaml.safe_load(path.read_text()) or {}
        steps = tuple(
            (str(s["title"]), str(s.get("say", "")), str(s.get("say_unknown", s.get("say", ""))))
            for s in data.get("steps", [])
        )
        scripts[path.stem] = CallScript(
            key=path.stem,
            title=str(data.get("title", "")),
            queues=tuple(data.get("queues") or ()),
            intents=tuple(data.get("intents") or ()),
            steps=steps,
        )
    return scripts


def choose(
    intent: str | None, queue_name: str | None, directory: Path = SCRIPTS_DIR
) -> CallScript | None:
    scripts = load_scripts(directory)
    for script in scripts.values():
        if intent and intent in script.intents:
            return script
    for script in scripts.values():
        if queue_name and queue_name in script.queues:
            return script
    return scripts.get(FALLBACK)


class _Keep(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(script: CallScript, values: dict[str, str], *, known: bool = True) -> dict[str, Any]:
    """`known`: the customer is on record (else each step's say_unknown is read)."""
    fill = _Keep({"company": COMPANY, **values})
    formatter = string.Formatter()
    return {
        "key": script.key,
        "title": script.title,
        "steps": [
            {"title": title, "say": formatter.vformat(say if known else unknown, (), fill)}
            for title, say, unknown in script.steps
        ],
    }
