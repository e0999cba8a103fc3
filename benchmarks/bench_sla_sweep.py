"""Benchmark of the hourly SLA sweep on a real site: 10k open cases, time and SQL query count (target: at most
5 queries whatever the number of cases).

The measuring code runs inside the site (``benchmarks/sla_sweep_site.py``, with the bench's Python, from its
``sites`` folder); this script only starts it:

    python benchmarks/bench_sla_sweep.py [cases]          (FO_BENCH: the bench, default this repository; FO_TEST_SITE=fo-test.localhost)

Everything it creates is rolled back.
"""

import os
import subprocess
import sys


def main(cases: int = 10_000) -> int:
	bench_dir = os.environ.get("FO_BENCH", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
	site = os.environ.get("FO_TEST_SITE", "fo-test.localhost")
	script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sla_sweep_site.py")
	python = os.path.join(bench_dir, "env", "bin", "python")
	cmd = [python, script, site, str(cases)]
	return subprocess.run(cmd, cwd=os.path.join(bench_dir, "sites"), check=False).returncode


if __name__ == "__main__":
	sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
