"""Run every benchmark and print its numbers: ``python benchmarks/run_all.py``.

The core benchmarks (boleto/CNAB, calendar/SLA, signed-PDF checks) need no site. The SLA sweep benchmark runs on
a bench: it is included when a bench with the test site exists (this repository after ``bin/setup``, or
``FO_BENCH``), and reported as skipped otherwise.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORE = ("bench_boleto.py", "bench_calendar.py", "bench_pdfcheck.py", "bench_cnab.py")
ON_BENCH = ("bench_sla_sweep.py",)


def bench_available() -> bool:
	bench = Path(os.environ.get("FO_BENCH", ROOT))
	site = os.environ.get("FO_TEST_SITE", "fo-test.localhost")
	return (bench / "apps" / "frappe").is_dir() and (bench / "sites" / site).is_dir()


def run(name: str) -> int:
	print(f"\n=== {name}", flush=True)
	started = time.perf_counter()
	rc = subprocess.run([sys.executable, str(HERE / name)], cwd=ROOT, check=False).returncode
	print(f"--- {name}: exit {rc}, {time.perf_counter() - started:.1f} s wall", flush=True)
	return rc


def main() -> int:
	failures = 0
	for name in CORE:
		if (HERE / name).exists():
			failures += run(name) != 0
	for name in ON_BENCH:
		if bench_available():
			failures += run(name) != 0
		else:
			print(f"\n=== {name}: skipped (no bench with the test site; run bin/setup or set FO_BENCH)")
	return 1 if failures else 0


if __name__ == "__main__":
	sys.exit(main())
