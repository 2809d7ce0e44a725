"""A browser dial pad on the emulator's own web server (GET /dialpad): a person calls the app's
IVR, presses keys or types words for speech, and reads the prompts as the transcript grows."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, request

from .call import Call
from .carrier import Carrier
from .parties import Line, Party


class BrowserCaller(Party):
    """A caller driven from the dial pad page: keeps its Line so the page can act through it."""

    def __init__(self) -> None:
        self.line: Line | None = None

    def run(self, line: Line) -> None:
        self.line = line
        line.stay()


def _transcript(call: Call) -> dict[str, Any]:
    with call.cond:
        entries = [
            {"speaker": e.speaker, "kind": e.kind, "text": e.text, "at": round(e.elapsed, 1)}
            for e in call.transcript
        ]
        return {
            "sid": call.sid,
            "status": str(call.status),
            "listening": sorted(call.gathering) + (["record"] if call.recording else []),
            "transcript": entries,
        }


def register_dialpad(app: Flask, carrier: Carrier) -> None:
    callers: dict[str, BrowserCaller] = {}

    def caller(sid: str) -> BrowserCaller | None:
        found = callers.get(sid)
        return found if found is not None and found.line is not None else None

    @app.get("/dialpad")
    def dialpad_page() -> Response:
        numbers = sorted(carrier.numbers)
        return Response(
            PAGE.replace("{{NUMBER}}", numbers[0] if numbers else ""), mimetype="text/html"
        )

    @app.post("/dialpad/calls")
    def dialpad_call() -> tuple[Response, int]:
        body = request.get_json(silent=True) or {}
        numbers = sorted(carrier.numbers)
        if not numbers:
            return jsonify({"error": "no number is configured on the emulator"}), 409
        party = BrowserCaller()
        call = carrier.place_call(str(body.get("from") or "+14155550100"), numbers[0], party)
        callers[call.sid] = party
        return jsonify({"sid": call.sid}), 201

    @app.get("/dialpad/calls/<sid>")
    def dialpad_state(sid: str) -> tuple[Response, int]:
        call = carrier.get_call(sid)
        if call is None:
            return jsonify({"error": "no such call"}), 404
        return jsonify(_transcript(call)), 200

    @app.post("/dialpad/calls/<sid>/<action>")
    def dialpad_act(sid: str, action: str) -> tuple[Response, int]:
        party = caller(sid)
        if party is None or party.line is None:
            return jsonify({"error": "no such call"}), 404
        body = request.get_json(silent=True) or {}
        if action == "keys":
            heard = party.line.press(str(body.get("digits", "")))
        elif action == "say":
            heard = party.line.say(str(body.get("words", "")))
        elif action == "hangup":
            party.line.hang_up("caller")
            heard = True
        else:
            return jsonify({"error": f"unknown action {action}"}), 404
        return jsonify({"heard": heard}), 200


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Emulator dial pad</title>
<style>
body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}
.pad{display:grid;grid-template-columns:repeat(3,4rem);gap:.5rem;margin:1rem 0}
.pad button{font-size:1.4rem;height:3.2rem}
#log{border:1px solid #ccc;padding:.5rem;height:22rem;overflow:auto;font-size:.95rem}
.app{color:#174ea6}.party{color:#137333}.carrier{color:#777}
</style></head><body>
<h1>Call the contact centre</h1>
<p>Number <strong>{{NUMBER}}</strong>. Calling from
<input id="from" value="+14155550100" aria-label="Your number"> <button id="call">Call</button>
<button id="hangup" disabled>Hang up</button> <span id="status" role="status"></span></p>
<div class="pad" aria-label="Keypad"></div>
<p><input id="words" placeholder="say something (speech)" aria-label="Speech">
<button id="say">Say</button></p>
<div id="log" aria-live="polite"></div>
<script>
let sid = null, timer = null;
const $ = (id) => document.getElementById(id);
const post = (url, body) => fetch(url, {method: "POST",
  headers: {"Content-Type": "application/json"}, body: JSON.stringify(body || {})})
  .then((r) => r.json());
for (const key of "123456789*0#") {
  const b = document.createElement("button"); b.textContent = key;
  b.onclick = () => sid && post(`/dialpad/calls/${sid}/keys`, {digits: key});
  document.querySelector(".pad").appendChild(b);
}
$("say").onclick = () => sid && post(`/dialpad/calls/${sid}/say`, {words: $("words").value});
$("hangup").onclick = () => sid && post(`/dialpad/calls/${sid}/hangup`);
$("call").onclick = async () => {
  const answer = await post("/dialpad/calls", {from: $("from").value});
  sid = answer.sid; $("hangup").disabled = false; clearInterval(timer);
  timer = setInterval(refresh, 500);
};
async function refresh() {
  const state = await (await fetch(`/dialpad/calls/${sid}`)).json();
  const listening = state.listening.length ? ` (listening: ${state.listening.join(", ")})` : "";
  $("status").textContent = state.status + listening;
  $("log").replaceChildren(...state.transcript.map((e) => {
    const p = document.createElement("div"); p.className = e.speaker;
    p.textContent = `${e.at}s ${e.speaker} ${e.kind}${e.text ? ": " + e.text : ""}`; return p;
  }));
  $("log").scrollTop = $("log").scrollHeight;
  if (["completed", "busy", "failed", "no-answer", "canceled"].includes(state.status)) {
    clearInterval(timer); $("hangup").disabled = true;
  }
}
</script></body></html>
"""
