#!/usr/bin/env python3
"""An HTTP proxy in front of the moto server that injects faults, for the fault tests of
tests/core/test_object_store.cpp.

Usage: fault_proxy.py --listen PORT --upstream http://127.0.0.1:MOTO --control FILE --log FILE

Before every request it reads the JSON control FILE (missing or {} = forward everything); when its
content changes, the counters start again. Keys:
  "fail500": N       answer the next N requests with 500 InternalError (S3's XML), then forward
  "drop_part": K     for every upload of part number K (PUT ?partNumber=K), read half of the body
                     and reset the connection without answering
  "stall": true      read every request and never answer (until the client gives up)
Every request is appended to the log FILE as one JSON line: method, path, query, action.
"""
import argparse
import http.client
import json
import socket
import struct
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

state_lock = threading.Lock()
state = {"control": None, "served500": 0}


def control(path):
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        text = "{}"
    with state_lock:
        if text != state["control"]:
            state["control"] = text
            state["served500"] = 0
        try:
            return json.loads(text or "{}")
        except ValueError:
            return {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def log(self, action):
        u = urllib.parse.urlsplit(self.path)
        with state_lock, open(self.server.log_path, "a") as f:
            f.write(json.dumps({"method": self.command, "path": u.path, "query": u.query, "action": action}) + "\n")

    def handle_any(self):
        c = control(self.server.control_path)
        length = int(self.headers.get("Content-Length") or 0)
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query, keep_blank_values=True)
        if c.get("stall"):
            self.rfile.read(length)
            self.log("stall")
            time.sleep(float(c.get("stall_seconds", 60)))
            self.close_connection = True
            return
        if c.get("drop_part") and self.command == "PUT" and query.get("partNumber") == [str(c["drop_part"])]:
            self.rfile.read(length // 2)
            self.log("drop")
            # RST instead of FIN: the client sees the connection reset mid-upload.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        body = self.rfile.read(length) if length else b""
        with state_lock:
            fail = state["served500"] < int(c.get("fail500", 0))
            if fail:
                state["served500"] += 1
        if fail:
            self.log("500")
            payload = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code>'
                       b'<Message>We encountered an internal error. Please try again.</Message></Error>')
            self.send_response(500)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        self.log("forward")
        up = urllib.parse.urlsplit(self.server.upstream)
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
        conn.request(self.command, self.path, body=body if (length or self.command in ("PUT", "POST")) else None,
                     headers=headers)
        r = conn.getresponse()
        data = r.read()
        self.send_response(r.status, r.reason)
        for k, v in r.getheaders():
            if k.lower() not in ("connection", "keep-alive", "transfer-encoding", "content-length", "server", "date"):
                self.send_header(k, v)
        # A HEAD answer carries the object's length, not the (empty) body's.
        self.send_header("Content-Length", r.getheader("Content-Length", "0") if self.command == "HEAD"
                         else str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        conn.close()

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = handle_any


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--listen", type=int, required=True)
    p.add_argument("--upstream", required=True)
    p.add_argument("--control", required=True)
    p.add_argument("--log", required=True)
    a = p.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", a.listen), Handler)
    server.daemon_threads = True
    server.upstream, server.control_path, server.log_path = a.upstream, a.control, a.log
    server.serve_forever()


if __name__ == "__main__":
    main()
