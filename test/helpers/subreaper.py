"""Runs a command as a child subreaper (prctl PR_SET_CHILD_SUBREAPER): whatever the command
orphans is reparented here instead of to PID 1 (which on some machines never reaps), and reaped,
so that tests of hostile targets leave no zombies. The command's pid is written to STATUS.pid at
once; its end to STATUS ("code N" or "signal N") when it exits. Then reaping goes on until no
descendant is left, at most LINGER_S, and this process exits 0.

Usage: python3 subreaper.py STATUS CMD [ARGS...]
"""
import ctypes
import os
import signal
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
LINGER_S = 5.0

status_file, argv = sys.argv[1], sys.argv[2:]
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit('subreaper: prctl failed')
child = os.fork()
if child == 0:
    os.execvp(argv[0], argv)
with open(status_file + '.pid', 'w') as f:
    f.write(str(child))
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(s, lambda n, _f: os.kill(child, n))
linger_until = None
while True:
    try:
        flags = 0 if linger_until is None else os.WNOHANG
        pid, st = os.waitpid(-1, flags)
    except ChildProcessError:
        break
    except InterruptedError:
        continue
    if pid == child:
        text = 'signal %d' % os.WTERMSIG(st) if os.WIFSIGNALED(st) else 'code %d' % os.WEXITSTATUS(st)
        with open(status_file + '.tmp', 'w') as f:
            f.write(text)
        os.replace(status_file + '.tmp', status_file)
        linger_until = time.monotonic() + LINGER_S
    elif pid == 0:
        if time.monotonic() > linger_until:
            break
        time.sleep(0.01)
