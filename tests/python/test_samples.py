"""The demo and the benchmark stay runnable: each runs at small sizes in its own process
(its own runtime), must exit 0, and checks its own answers against NumPy."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(240)
@pytest.mark.parametrize("script", ["samples/demo.py", "bench/bench_cpu.py", "bench/bench_gpu.py",
                                    "bench/bench_transport.py", "bench/bench_cluster.py",
                                    "bench/bench_elastic.py", "bench/bench_elastic_cluster.py",
                                    "bench/bench_gpu_scaling.py", "bench/bench_wake.py"])
def test_script_runs_quick(script):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    r = subprocess.run([sys.executable, str(ROOT / script), "--quick"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=220)
    assert r.returncode == 0, f"{script} failed:\n{r.stdout}\n{r.stderr}"
    assert "MISMATCH" not in r.stdout
