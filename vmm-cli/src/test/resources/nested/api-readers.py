#!/usr/bin/python3
"""Concurrent readers of a jvmm API socket, for ApiNestedIT's step 4.

Usage: api-readers.py SOCKET N PACE STOPFILE OUTDIR

N threads each send GET /api/v1/vm on a new connection, then wait PACE seconds, until
STOPFILE exists. Reader i writes each answer to OUTDIR/get-i.out as curl -w '%{http_code}\\n'
would: the body, then the status on a line of its own (a failed request writes its error and
000). Threads of one process rather than a curl process per request: the emulated L1 is slow
to start a process, and 16 loops of curl kept its CPUs so busy that the snapshot taken beside
them took 24 s instead of 5.
"""
import http.client
import os
import socket
import sys
import threading
import time

SOCK, N, PACE, STOP, OUT = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]


class UnixConnection(http.client.HTTPConnection):
    def __init__(self):
        super().__init__("localhost", timeout=60)

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(60)
        self.sock.connect(SOCK)


def reader(i):
    with open(os.path.join(OUT, "get-%d.out" % i), "w") as out:
        while not os.path.exists(STOP):
            c = UnixConnection()
            try:
                c.request("GET", "/api/v1/vm")
                r = c.getresponse()
                body = r.read().decode("utf-8", "replace")
                status = r.status
            except (OSError, http.client.HTTPException) as e:
                body, status = "error: %r" % e, 0
            finally:
                c.close()
            out.write(body if body.endswith("\n") else body + "\n")
            out.write("%03d\n" % status)
            out.flush()
            time.sleep(PACE)


threads = [threading.Thread(target=reader, args=(i,)) for i in range(1, N + 1)]
for t in threads:
    t.start()
for t in threads:
    t.join()
