"""Times a program in a pseudo-terminal: seconds from spawn until its output contains a marker (or it exits).

Usage: pty_time.py MARKER COLS ROWS -- PROGRAM ARGS...   (MARKER '' means: until exit)
Prints the elapsed seconds. Used by bench/startup/run.mjs; Python's pty module avoids a native Node addon.
"""
import os, pty, select, signal, struct, sys, time, fcntl, termios

def main():
    marker, cols, rows = sys.argv[1].encode(), int(sys.argv[2]), int(sys.argv[3])
    argv = sys.argv[sys.argv.index('--') + 1:]
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
    seen = b''
    elapsed = None
    deadline = start + 30
    while time.perf_counter() < deadline:
        r, _, _ = select.select([fd], [], [], 0.5)
        if not r:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        if marker and marker in seen:
            elapsed = time.perf_counter() - start
            break
    if elapsed is None:
        elapsed = time.perf_counter() - start
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    if marker and marker not in seen:
        sys.stderr.write('marker not seen; output was: %r\n' % seen[-500:])
        sys.exit(1)
    print('%.6f' % elapsed)

main()
