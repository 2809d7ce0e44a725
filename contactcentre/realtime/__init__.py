"""Real time: Socket.IO namespaces /agent and /supervisor, sequenced events with replay, presence.

Any process emits through `RealtimeEmitter` (Redis message queue, no Flask app needed).
"""
