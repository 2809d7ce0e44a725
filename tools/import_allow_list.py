"""An import-linter contract that lists what a package MAY import, not what it may not.

A deny-list lets a new framework import slip through; this one fails on anything outside the
standard library and the modules named, so the pure core stays pure by construction.
"""

from __future__ import annotations

import sys
from typing import Any, cast

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


class AllowListContract(Contract):
    """Options: source_modules (packages checked), allowed_modules (top-level names they may
    import besides the standard library), allowed_per_module ("module: name, name" lines for
    one module's extra allowances, e.g. "ivr.twiml: twilio")."""

    type_name = "allow_list"

    source_modules = fields.ListField(subfield=fields.StringField())
    allowed_modules = fields.ListField(subfield=fields.StringField())
    allowed_per_module = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        # Fields are populated from the configuration: lists of strings by then.
        sources = cast("list[str]", self.source_modules)
        named = cast("list[str]", self.allowed_modules)
        allowed = set(named) | set(sys.stdlib_module_names) | {"__future__"}
        extra = _per_module(cast("list[str] | None", self.allowed_per_module) or [])
        strays: list[dict[str, Any]] = []
        for package in sources:
            for module in sorted(graph.find_descendants(package) | {package}):
                for imported in sorted(graph.find_modules_directly_imported_by(module)):
                    top = imported.split(".")[0]
                    if top in allowed or top in extra.get(module, ()):
                        continue
                    lines = [
                        d["line_number"]
                        for d in graph.get_import_details(importer=module, imported=imported)
                    ]
                    strays.append({"importer": module, "imported": imported, "lines": lines})
        return ContractCheck(kept=not strays, metadata={"strays": strays})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for stray in check.metadata["strays"]:
            where = ", ".join(f"l.{n}" for n in stray["lines"])
            output.print_error(
                f"{stray['importer']} imports {stray['imported']} ({where}), "
                "which is not on the allow-list",
                bold=False,
            )
            output.new_line()


def _per_module(lines: list[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for line in lines:
        module, _, names = line.partition(":")
        found.setdefault(module.strip(), set()).update(
            n.strip() for n in names.split(",") if n.strip()
        )
    return found
