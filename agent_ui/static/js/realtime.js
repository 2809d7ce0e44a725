/* Sequenced Socket.IO client: applies each room's events once and in order, and on every
   (re)connect sends the last number seen per room so the server replays what was missed. */
(function () {
  "use strict";

  function SequencedSocket(namespace, lastSeq, handlers) {
    this.last = Object.assign({}, lastSeq);
    this.buffer = {};
    this.seenIds = new Set();
    this.handlers = handlers;
    this.gapTimer = null;
    const socket = io(namespace, { transports: ["websocket", "polling"], reconnectionDelayMax: 3000 });
    this.socket = socket;
    socket.on("connect", () => { this.status("live"); this.resume(); });
    socket.on("disconnect", () => this.status("reconnecting"));
    // The web process lost Redis a while: what was published meanwhile is in the rooms' logs.
    socket.on("resync", () => this.resume());
    socket.on("connect_error", (err) => this.status(err && err.message && err.message.indexOf("unauthenticated") >= 0 ? "signed-out" : "reconnecting"));
    socket.onAny((event, envelope) => this.receive(envelope));
  }

  SequencedSocket.prototype.status = function (value) {
    if (this.handlers.status) this.handlers.status(value);
  };

  SequencedSocket.prototype.resume = function () {
    this.socket.timeout(10000).emit("resume", { last_seq: this.last }, (err, reply) => {
      if (err || !reply) { this.status("reconnecting"); return; }
      // Rooms it may no longer join, or left out past the server's cap: stop following them.
      (reply.refused || []).concat(reply.dropped || []).forEach((room) => this.forget(room));
      Object.keys(reply.rooms || {}).forEach((room) => {
        const part = reply.rooms[room];
        if (!part.complete) {
          // Too much was missed to replay: start again from a fresh snapshot of that room.
          this.last[room] = part.seq;
          this.buffer[room] = {};
          if (this.handlers.stale) this.handlers.stale(room);
          return;
        }
        part.events.forEach((envelope) => this.receive(envelope));
      });
    });
  };

  SequencedSocket.prototype.join = function (room) {
    if (room in this.last) return;
    this.socket.emit("join", { room: room }, (reply) => {
      if (reply && reply.ok && !(room in this.last)) this.last[room] = reply.seq;
    });
  };

  // A contact that left the desk: its room is no longer followed, nor sent on the next resume
  // (a console open all shift would otherwise ask for every contact it ever had).
  SequencedSocket.prototype.leave = function (room) {
    if (!(room in this.last)) return;
    this.forget(room);
    if (this.socket.connected) this.socket.emit("leave", { room: room });
  };

  SequencedSocket.prototype.forget = function (room) {
    delete this.last[room];
    delete this.buffer[room];
  };

  SequencedSocket.prototype.receive = function (envelope) {
    if (!envelope || typeof envelope.seq !== "number" || !envelope.room) return;
    const room = envelope.room;
    if (!(room in this.last)) return; // a room this page does not follow
    if (envelope.seq <= this.last[room]) return; // seen already (live and replayed)
    const pending = this.buffer[room] || (this.buffer[room] = {});
    pending[envelope.seq] = envelope;
    while (pending[this.last[room] + 1]) {
      const next = pending[this.last[room] + 1];
      delete pending[this.last[room] + 1];
      this.last[room] = next.seq;
      this.apply(next);
    }
    if (Object.keys(pending).length && !this.gapTimer) {
      // A number is missing: ask for it instead of applying events out of order.
      this.gapTimer = setTimeout(() => { this.gapTimer = null; this.resume(); }, 500);
    }
  };

  SequencedSocket.prototype.apply = function (envelope) {
    const id = envelope.data && envelope.data.id;
    if (id) {
      // The same decision reaches several rooms (agent, interaction): act on it once.
      if (this.seenIds.has(id)) return;
      this.seenIds.add(id);
      if (this.seenIds.size > 2000) this.seenIds = new Set(Array.from(this.seenIds).slice(-1000));
    }
    if (this.handlers.event) this.handlers.event(envelope.event, envelope.data, envelope);
  };

  window.SequencedSocket = SequencedSocket;
})();
