"""Benchmark of the hourly SLA sweep on a real site: 10k open cases, time and SQL query count (target: at most
5 queries whatever the number of cases).

The measuring code runs inside the site (``fiber_onboarding.utils.bench_sweep.run``); this script only calls it:

    python benchmarks/bench_sla_sweep.py [cases]          (FO_BENCH: the bench, default this repository; FO_TEST_SITE=fo-test.localhost)

which is the same as ``cd <bench> && bench --site fo-test.localhost execute
fiber_onboarding.utils.bench_sweep.run --kwargs "{'cases': 10000}"``. Everything it creates is rolled back.
"""

import os
import subprocess
import sys


def main(cases: int = 10_000) -> int:
	bench_dir = os.environ.get("FO_BENCH", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
	site = os.environ.get("FO_TEST_SITE", "fo-test.localhost")
	cmd = [
		"bench",
		"--site",
		site,
		"execute",
		"fiber_onboarding.utils.bench_sweep.run",
		"--kwargs",
		repr({"cases": cases}),
	]
	return subprocess.run(cmd, cwd=bench_dir, check=False).returncode


if __name__ == "__main__":
	sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
