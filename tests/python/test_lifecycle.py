"""Process lifecycle: the interpreter exits promptly with arrays still alive, with or without
an explicit shutdown, and arrays used after shutdown raise instead of crashing."""
import subprocess
import sys
import textwrap

import pytest

CASES = {
    "exit_with_live_arrays": """
        import shoal.numpy as np
        a = np.arange(100000) * 2
        b = a[::3]
        print(int(b.sum()))
    """,
    "shutdown_then_exit_with_live_arrays": """
        import shoal, shoal.numpy as np
        a = np.ones((300, 300)) + 1
        lazy = a * 3
        shoal.shutdown()
        try:
            float(lazy.sum())
        except RuntimeError as e:
            print("RuntimeError", e)
        else:
            raise SystemExit("no error after shutdown")
    """,
    "restart_after_shutdown": """
        import shoal, shoal.numpy as np
        shoal.init(cpus=2, min_tile_elems=16)
        a = np.arange(50)
        shoal.shutdown()
        shoal.init(cpus=3, min_tile_elems=8)
        print(int(np.arange(50).sum()))
    """,
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", sorted(CASES))
def test_process_exits_cleanly(name):
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(CASES[name])], capture_output=True,
                       text=True, timeout=90)
    assert r.returncode == 0, r.stdout + r.stderr
