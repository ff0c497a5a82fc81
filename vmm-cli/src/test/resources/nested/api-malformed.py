#!/usr/bin/python3
"""Hostile clients of a jvmm API socket; prints key=value lines for ApiNestedIT.

Usage: api-malformed.py SOCKET PID
"""
import os
import socket
import sys
import time

SOCK, PID = sys.argv[1], sys.argv[2]


def rss_kib():
    with open(f"/proc/{PID}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def conn(timeout=30, wait=True):
    """A connection; with wait, a full backlog (EAGAIN on a Unix socket) is tried again until timeout."""
    deadline = time.time() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(SOCK)
            return s
        except BlockingIOError:
            s.close()
            if not wait or time.time() > deadline:
                raise
            time.sleep(0.1)


def answer(s):
    """The status line the server sent, or 'closed'."""
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, BrokenPipeError, socket.timeout) as e:
        if not data:
            return "closed(%s)" % type(e).__name__
    return data.split(b"\r\n")[0].decode("latin-1") if data else "closed"


def send_all(s, blob, limit):
    """Sends up to limit bytes of blob repeated; returns how many went before the server stopped us."""
    sent = 0
    try:
        while sent < limit:
            sent += s.send(blob)
    except (BrokenPipeError, ConnectionResetError, socket.timeout):
        pass
    return sent


print("rss_before_kib=%d" % rss_kib())

s = conn()
s.sendall(os.urandom(65536))
print("garbage=%s" % answer(s))
s.close()

t0 = time.time()
s = conn()
s.sendall(b"PUT /api/v1/vm/pause HTTP/1.1\r\nHost: x\r\nContent-Length: 104857600\r\n\r\n")
sent = send_all(s, b"x" * 65536, 100 << 20)
print("big_body=%s" % answer(s))
print("big_body_sent_mib=%d" % (sent >> 20))
print("big_body_seconds=%.1f" % (time.time() - t0))
s.close()

t0 = time.time()
s = conn()
s.sendall(b"GET /api/v1/vm HTTP/1.1\r\nX: ")
sent = send_all(s, b"a" * 65536, 64 << 20)
print("endless_header=%s" % answer(s))
print("endless_header_sent_kib=%d" % (sent >> 10))
print("endless_header_seconds=%.1f" % (time.time() - t0))
s.close()

t0 = time.time()
s = conn(60)
s.sendall(b"GET /api/v1/vm HTTP/1.1\r\n")
closed = False
try:
    for i in range(40):
        s.send(b"X")
        time.sleep(1)
        s.settimeout(0.01)
        try:
            if s.recv(1) == b"":
                closed = True
                break
        except socket.timeout:
            pass
        s.settimeout(60)
except (BrokenPipeError, ConnectionResetError):
    closed = True
print("slow_client_closed=%s" % closed)
print("slow_client_seconds=%.1f" % (time.time() - t0))
s.close()

held = []
for i in range(200):
    try:
        held.append(conn(5, wait=False))
    except OSError:
        break
print("held_connections=%d" % len(held))
for h in held:
    h.close()

s = conn()
s.sendall(b"DELETE /api/v1/vm HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
print("wrong_method=%s" % answer(s))
s.close()
s = conn()
s.sendall(b"GET /api/v2/whatever HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
print("unknown_path=%s" % answer(s))
s.close()
s = conn()
s.sendall(b"GET /api/v1/vm HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
print("after_all=%s" % answer(s))
s.close()
print("rss_after_kib=%d" % rss_kib())
