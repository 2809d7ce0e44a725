"""Errors of the IVR package: invalid flow files, and states that no longer fit their flow.
Each flow error names the file, the node and the problem so an administrator can fix it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FlowError:
    """One problem found in one flow file; `node` is None for flow-level problems."""

    file: str
    node: str | None
    problem: str

    def __str__(self) -> str:
        where = f"node '{self.node}'" if self.node is not None else "flow"
        return f"{self.file}: {where}: {self.problem}"


class FlowValidationError(ValueError):
    """A flow file was rejected; carries every problem found, not just the first."""

    def __init__(self, errors: list[FlowError]) -> None:
        if not errors:
            raise ValueError("FlowValidationError needs at least one FlowError")
        self.errors = list(errors)
        lines = "\n".join(f"  - {error}" for error in self.errors)
        super().__init__(f"{len(self.errors)} problem(s) in IVR flow:\n{lines}")


class SessionStateError(ValueError):
    """A stored IVR state does not fit the flow (flow edited mid-call, or corrupted state)."""


class FlowRuntimeError(RuntimeError):
    """The flow spun through too many nodes without waiting for the caller (a runtime loop)."""
