"""The external-CRM look-up hook: enrich a pop from another system, within a time limit.

On timeout or any error the pop keeps our own record and says why the CRM part is missing.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 64 * 1024
MAX_FIELDS = 20


class PopSink(Protocol):
    """Where an enriched pop goes: the cache and the agent's room."""

    def __call__(self, offer: dict[str, Any], pop: dict[str, Any]) -> None: ...


def lookup(url: str, pop: dict[str, Any], timeout: float) -> dict[str, Any]:
    """GET url?phone=&customer_id=&account_number=&interaction_id= and read its JSON answer.

    Expected answer: {"fields": {"label": "value", ...}, "links": [{"label", "url"}]}; returns
    the pop's "crm" section: {"status": "ok"|"timeout"|"error", "fields", "links", "message"}.
    """
    customer = pop.get("customer") or {}
    query = {
        "phone": (pop.get("caller") or {}).get("number") or "",
        "customer_id": customer.get("id") or "",
        "account_number": customer.get("account_number") or "",
        "interaction_id": pop["interaction_id"],
    }
    target = url + ("&" if "?" in url else "?") + urllib.parse.urlencode(query)
    request = urllib.request.Request(target, headers={"Accept": "application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = json.loads(response.read(MAX_BODY_BYTES))
    except TimeoutError:
        return {"status": "timeout", "message": f"no answer within {timeout:g} s"}
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            return {"status": "timeout", "message": f"no answer within {timeout:g} s"}
        return {"status": "error", "message": f"CRM look-up failed: {reason}"}
    return _section(body)


def _section(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        return {"status": "error", "message": "CRM answered something other than a JSON object"}
    raw_fields = body.get("fields")
    fields: dict[Any, Any] = raw_fields if isinstance(raw_fields, dict) else {}
    links = [
        {"label": str(link.get("label", link.get("url"))), "url": str(link["url"])}
        for link in body.get("links") or []
        if isinstance(link, dict) and str(link.get("url", "")).startswith(("https://", "http://"))
    ]
    items = list(fields.items())[:MAX_FIELDS]
    return {"status": "ok", "fields": {str(k): str(v) for k, v in items}, "links": links[:5]}


class CrmEnricher:
    """Looks pops up in the CRM on a small thread pool, so an offer never waits for the CRM."""

    def __init__(self, url: str, timeout: float, sink: PopSink, workers: int = 4) -> None:
        self._url = url
        self._timeout = timeout
        self._sink = sink
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="crm-lookup")

    def __call__(self, offer: dict[str, Any]) -> None:
        pop = offer.get("pop")
        if pop is None or (pop.get("crm") or {}).get("status") == "ok":
            return
        self._pool.submit(self._enrich, offer, pop)

    def _enrich(self, offer: dict[str, Any], pop: dict[str, Any]) -> None:
        try:
            enriched = {**pop, "crm": lookup(self._url, pop, self._timeout)}
            self._sink(offer, enriched)
        except Exception:
            log.exception("CRM enrichment of %s failed", pop.get("interaction_id"))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
