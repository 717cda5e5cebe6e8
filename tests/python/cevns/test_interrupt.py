"""Ctrl-C: SIGINT sent to a Python process running a long scan stops it within a second as
KeyboardInterrupt; the interpreter goes on (the same call then runs to the end)."""

import select
import subprocess
import sys
import textwrap
import time

from conftest import REPO

CHILD = textwrap.dedent("""
    import sys, time
    import cevns
    from conftest import study, axis

    # a direct scan of minutes
    s = study("t_long", [{"name": "ee-etau", "axes": [axis("eps_ee_uV", -1, 1, 400),
                                                     axis("eps_etau_uV", -1, 1, 400)]}])

    class Ready:
        def start(self, label, total):
            print("started", flush=True)
        def update(self, done, total):
            pass
        def close(self, done, total):
            pass
        def note(self, line):
            pass

    try:
        cevns.scan(s, backend="cpu", method="direct", progress=Ready())
        print("finished", flush=True)
    except KeyboardInterrupt:
        print("KeyboardInterrupt", time.monotonic(), flush=True)
    # Python's own Ctrl-C handling is back
    import signal
    print("handler", signal.getsignal(signal.SIGINT) is signal.default_int_handler, flush=True)
    tree = cevns.scan(study("t_after", [{"name": "wm", "axes": [axis("sin2_theta_W", 0.1, 0.4,
                                                                     5)]}]), progress=False)
    print("after", len(list(tree.subtree)), flush=True)
""")


def test_sigint_stops_a_long_scan_as_keyboard_interrupt():
    child = subprocess.Popen([sys.executable, "-c", CHILD], cwd=REPO / "tests" / "python" / "cevns",
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([child.stdout], [], [], 120)
        assert ready, "the scan did not start within 120 s"
        assert child.stdout.readline().strip() == "started"
        time.sleep(0.3)
        sent = time.monotonic()
        child.send_signal(subprocess.signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        child.kill()
    lines = out.split("\n")
    assert lines[0].startswith("KeyboardInterrupt"), (out, err)
    stopped = float(lines[0].split()[1])
    assert stopped - sent < 10.0  # the engine polls every quarter second; the scan runs minutes
    assert "handler True" in lines, out
    assert "after 8" in lines, out  # root, scan, 2 detectors, 2 x 2 scenarios
    assert child.returncode == 0, err
