"""Errors raised by the emulator, each carrying Twilio's numeric error code where one exists.

The REST layer turns `RestError` into Twilio's error JSON; the interpreter turns `TwimlError` into
an "application error" heard by the caller.
"""

from __future__ import annotations


class EmulatorError(Exception):
    """Base class of everything the emulator raises on purpose."""


class WaitTimeout(EmulatorError, TimeoutError):
    """A test waited for a call outcome that did not happen in time."""


class TwimlError(EmulatorError):
    """The app's TwiML could not be fetched, parsed or executed (an application error)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class RestError(EmulatorError):
    """A REST request Twilio would reject: carries the HTTP status and Twilio's error code."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
