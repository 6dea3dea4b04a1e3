"""A NULL PUSH peer in a process of its own (its own pid on ipc).

usage:
  ipc_sender.py ENDPOINT COUNT HEX_FRAME
      connects a PUSH to ENDPOINT, sends the frame COUNT times, waits (up
      to 5 s) until they left, and prints "sent COUNT"
"""
import os
import sys

import zmq


def main():
    endpoint, count, frame = sys.argv[1], int(sys.argv[2]), bytes.fromhex(sys.argv[3])
    ctx = zmq.Context()
    push = ctx.socket(zmq.PUSH)
    push.setsockopt(zmq.LINGER, 5000)
    push.setsockopt(zmq.SNDTIMEO, 5000)
    push.connect(endpoint)
    for _ in range(count):
        push.send(frame)
    push.close()
    ctx.term()
    # One write(2) of a short line: atomic on a pipe, so the lines of
    # several senders sharing it never interleave.
    os.write(1, b"sent %d\n" % count)


if __name__ == "__main__":
    main()
