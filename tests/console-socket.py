#!/usr/bin/env python3
"""console-socket.py SOCKET [SECONDS] - the other end of --console-socket.

What runc's contrib/cmd/recvtty does, for the tests: listen on the unix
socket SOCKET, take one connection, receive the terminal's master side
that the runtime sends over it (SCM_RIGHTS, unix(7)), and copy everything
the container writes to its terminal onto stdout, until the last process
holding the terminal closes it (EOF, or EIO from a pty master: pty(7)).

SOCKET appears only once it listens (bound under another name, then
renamed), so a caller waits for it to exist, then starts the runtime.
It is removed at the end. The whole thing takes at most SECONDS (default
10). Exit status: 0 done, 1 timed out or no terminal came, 2 bad usage.
"""
import errno
import os
import select
import socket
import sys
import time


def fail(message):
    print(f"console-socket: {message}", file=sys.stderr)
    sys.exit(1)


def remaining(deadline):
    left = deadline - time.monotonic()
    if left <= 0:
        fail("timed out")
    return left


def receive_master(path, deadline):
    """Listen on path, accept one runtime, return the fd it sends."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    temporary = f"{path}.{os.getpid()}"
    try:
        server.bind(temporary)
        server.listen(1)
        os.rename(temporary, path)
        server.settimeout(remaining(deadline))
        try:
            connection, _ = server.accept()
        except socket.timeout:
            fail("no runtime connected")
        with connection:
            connection.settimeout(remaining(deadline))
            try:
                _, fds, _, _ = socket.recv_fds(connection, 1024, 1)
            except socket.timeout:
                fail("no terminal came")
    finally:
        server.close()
        for name in (temporary, path):
            try:
                os.unlink(name)
            except FileNotFoundError:
                pass
    if len(fds) != 1:
        fail(f"expected one file descriptor, got {len(fds)}")
    return fds[0]


def copy_out(master, deadline):
    """The terminal's output onto stdout, until nothing holds its slave."""
    out = sys.stdout.buffer
    while True:
        ready, _, _ = select.select([master], [], [], remaining(deadline))
        if not ready:
            fail("timed out")
        try:
            data = os.read(master, 4096)
        except OSError as error:
            if error.errno == errno.EIO:
                break
            raise
        if not data:
            break
        out.write(data)
        out.flush()
    os.close(master)


def main():
    if len(sys.argv) not in (2, 3):
        print("usage: console-socket.py SOCKET [SECONDS]", file=sys.stderr)
        sys.exit(2)
    try:
        seconds = float(sys.argv[2]) if len(sys.argv) == 3 else 10.0
    except ValueError:
        print(f"console-socket: bad number: {sys.argv[2]}", file=sys.stderr)
        sys.exit(2)
    deadline = time.monotonic() + seconds
    copy_out(receive_master(sys.argv[1], deadline), deadline)


if __name__ == "__main__":
    main()
