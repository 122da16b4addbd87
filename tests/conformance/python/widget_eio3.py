"""Conformance of the sandbox's Socket.IO endpoint with python-socketio 4.6.1,
the chat widget seed's own client (Engine.IO 3).

    scripts/bootstrap-python.sh
    TWIN_SANDBOX_URL=http://127.0.0.1:PORT target/pyenv/bin/python \
        tests/conformance/python/widget_eio3.py

The URL may also be the first argument. A visitor starts a session for
operator 389, connects with ?sessionId=..., and must receive the operator's
reply as chatMessageCreatedEmit: once with the client's default transports
(polling, then the upgrade to WebSocket) and once on polling only. Two
events emitted back to back must both be acked, and a disconnect must
reach the server at once (stats.socketio.active, the client's read loop). An
unknown session must be refused with connect_error "Session not found.".
Exits 0 on success, 1 with a message on failure, 2 on the overall timeout.
"""

import os
import sys
import threading
import time

import requests
import socketio

STEP_TIMEOUT = 10.0  # seconds for each awaited event
TOTAL_TIMEOUT = 60.0  # the whole run, hung connects included
OPERATOR_ID = "389"
OPERATOR_EMAIL = "operator@twin.local"
PASSWORD = "operator"


class Failure(Exception):
    """A check failed; the message says which."""


def watchdog():
    """Ends the process if the run hangs (a connect can block in the client)."""

    def expire():
        sys.stderr.write("FAIL: no result within %.0f s\n" % TOTAL_TIMEOUT)
        sys.stderr.flush()
        os._exit(2)

    timer = threading.Timer(TOTAL_TIMEOUT, expire)
    timer.daemon = True
    timer.start()


def post(base, path, body, token=None):
    """POSTs JSON and returns the parsed answer; fails on a non-2xx status."""
    # The sandbox's control endpoints refuse state changes without it.
    headers = {"X-Sandbox-Control": "1"}
    if token:
        headers["Authorization"] = "Bearer " + token
    res = requests.post(base + path, json=body, headers=headers, timeout=STEP_TIMEOUT)
    if not res.ok:
        raise Failure("POST %s: %d %s" % (path, res.status_code, res.text))
    return res.json()


def stats(base):
    res = requests.get(base + "/__sandbox/stats", timeout=STEP_TIMEOUT)
    res.raise_for_status()
    return res.json()["socketio"]


class Widget:
    """A python-socketio client that records what the server sends."""

    def __init__(self):
        self.sio = socketio.Client(reconnection=False)
        self.connected = threading.Event()
        self.refused = threading.Event()
        self.refusal = None
        self.messages = []
        self.message_arrived = threading.Condition()

        @self.sio.on("connect")
        def on_connect():
            self.connected.set()

        @self.sio.on("connect_error")
        def on_connect_error(*data):
            self.refusal = data[0] if data else None
            self.refused.set()

        @self.sio.on("chatMessageCreatedEmit")
        def on_message(data):
            with self.message_arrived:
                self.messages.append(data)
                self.message_arrived.notify_all()

    def connect(self, base, session_id, transports=None):
        self.sio.connect(base + "/?sessionId=" + session_id, transports=transports)

    def wait_connected(self):
        if not self.connected.wait(STEP_TIMEOUT):
            raise Failure("no 'connect' within %.0f s (refusal: %r)" % (STEP_TIMEOUT, self.refusal))

    def wait_message(self, message_id):
        deadline = time.monotonic() + STEP_TIMEOUT
        with self.message_arrived:
            while True:
                for m in self.messages:
                    if m.get("id") == message_id:
                        return m
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Failure("no chatMessageCreatedEmit for %s; got %r" % (message_id, self.messages))
                self.message_arrived.wait(left)

    def emit_with_acks(self, *events):
        """Emits (event, data) pairs back to back (on polling they may share
        one POST) and returns each event's ack argument."""
        answers = [None] * len(events)
        answered = [threading.Event() for _ in events]

        def acker(i):
            def ack(*args):
                answers[i] = args[0] if args else None
                answered[i].set()

            return ack

        for i, (event, data) in enumerate(events):
            self.sio.emit(event, data, callback=acker(i))
        for i, (event, _) in enumerate(events):
            if not answered[i].wait(STEP_TIMEOUT):
                raise Failure("no ack for %s (#%d of a batch of %d)" % (event, i + 1, len(events)))
        return answers

    def close(self):
        try:
            self.sio.disconnect()
        except Exception:  # already gone: nothing to clean up
            pass

    def close_and_check(self, base):
        """Disconnects and checks that the server took it at once: it counts
        one socket less, and it ends the client's read loop (on polling, by
        answering the pending GET) instead of waiting for a ping timeout."""
        live = stats(base)["active"]
        read_loop = self.sio.eio.read_loop_task
        self.close()
        deadline = time.monotonic() + STEP_TIMEOUT
        while stats(base)["active"] >= live:
            if time.monotonic() > deadline:
                raise Failure("the server still counts the socket %.0f s after the disconnect" % STEP_TIMEOUT)
            time.sleep(0.05)
        if read_loop is not None:
            read_loop.join(max(deadline - time.monotonic(), 0))
            if read_loop.is_alive():
                raise Failure("the Engine.IO read loop is still waiting %.0f s after the disconnect" % STEP_TIMEOUT)


def reply_case(base, token, transports):
    """The operator's reply reaches the visitor's socket."""
    session = post(base, "/__sandbox/visitor/session", {"operatorId": int(OPERATOR_ID), "clientName": "Python EIO3"})
    if session.get("operatorId") != OPERATOR_ID:
        raise Failure("session went to operator %r, not %s" % (session.get("operatorId"), OPERATOR_ID))
    widget = Widget()
    try:
        widget.connect(base, session["id"], transports)
        widget.wait_connected()
        transport = widget.sio.transport()
        wanted = (transports or ["websocket"])[-1]
        if transport != wanted:
            raise Failure("transport is %r, want %r" % (transport, wanted))

        acks = widget.emit_with_acks(("clientTyping", {}), ("clientRead", {}))
        if acks[0] != {"ok": True}:
            raise Failure("clientTyping ack = %r" % (acks[0],))
        if not isinstance(acks[1], dict) or acks[1].get("error") != "Validation failed.":
            raise Failure("clientRead without messageId: ack = %r" % (acks[1],))

        body = "Здравствуйте! Reply over %s" % transport
        sent = post(base, "/chat/api/v1/sessions/%s/operators/messages" % session["id"], {"body": body}, token)
        got = widget.wait_message(sent["id"])
        expected = {
            "authorId": OPERATOR_ID,
            "authorType": "OPERATOR",
            "type": "REGULAR",
            "body": body,
            "sessionId": session["id"],
            "createdAt": sent["createdAt"],
            "answers": [],
            "attachments": [],
            "actions": [],
        }
        for key, want in expected.items():
            if got.get(key) != want:
                raise Failure("chatMessageCreatedEmit %s = %r, want %r" % (key, got.get(key), want))
        for key in ("authorName", "avatar"):
            if key not in got:
                raise Failure("chatMessageCreatedEmit has no %s: %r" % (key, got))
        widget.close_and_check(base)
        print("ok: reply over %s (%s)" % (transport, "default transports" if transports is None else "polling only"))
    finally:
        widget.close()


def refusal_case(base):
    """An unknown session is refused with the platform's message."""
    widget = Widget()
    try:
        widget.connect(base, "no-such-session", ["polling"])
        if not widget.refused.wait(STEP_TIMEOUT):
            raise Failure("an unknown session was not refused")
        if widget.refusal != "Session not found.":
            raise Failure("connect_error data = %r, want 'Session not found.'" % (widget.refusal,))
        print("ok: unknown session refused")
    finally:
        widget.close()


def main():
    base = (sys.argv[1] if len(sys.argv) > 1 else os.environ.get("TWIN_SANDBOX_URL", "")).rstrip("/")
    if not base:
        sys.stderr.write("usage: widget_eio3.py URL (or set TWIN_SANDBOX_URL)\n")
        return 1
    watchdog()
    try:
        before = stats(base)["eio3"]
        token = post(base, "/iam/api/v1/auth/login", {"email": OPERATOR_EMAIL, "password": PASSWORD})["token"]
        reply_case(base, token, None)
        reply_case(base, token, ["polling"])
        refusal_case(base)
        counted = stats(base)["eio3"] - before
        if counted < 2:
            raise Failure("stats.socketio.eio3 grew by %d, want at least 2" % counted)
    except Failure as failure:
        sys.stderr.write("FAIL: %s\n" % failure)
        return 1
    except (requests.RequestException, socketio.exceptions.ConnectionError) as error:
        sys.stderr.write("FAIL: %s: %s\n" % (type(error).__name__, error))
        return 1
    print("ok: python-socketio %s over Engine.IO 3" % socketio.__version__)
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # The client's threads are not daemons: after a failure one may wait for
    # a long-poll answer for half a minute. The result is known already.
    os._exit(code)
