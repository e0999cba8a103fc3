"""Benchmark: screen a ~10 MB, 100-page signed contract with ``check_pdf`` (child process included).

Run: ``cd /work/main && .venv/bin/python benchmarks/bench_pdfcheck.py [--runs N]``

The PDF is generated here (``tests/pdf_factory.py``): 100 pages of contract text, each with an incompressible
grey image (~104 KB), signed by a throw-away test CA with pyHanko. Reported per run: wall time of ``check_pdf``
(process start, imports, parsing, signature validation, text), the child's peak RSS (``ru_maxrss`` as the
worker reports it, cross-checked with ``RUSAGE_CHILDREN``) and its CPU time. Targets: < 1 s and < 200 MB.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "apps" / "fiber_onboarding"))

import pdf_factory as pf

from fiber_onboarding.core.pdfcheck import TrustRoot, check_pdf

TARGET_SECONDS = 1.0
TARGET_MB = 200
CODE = "CTR-2026-00100"


def build(pages: int = 100, image_bytes: int = 103_600) -> tuple[bytes, pf.TestPki]:
	pki = pf.make_pki()
	pdf = pf.contract_pdf(CODE, pages, image_bytes_per_page=image_bytes)
	return pf.sign(pdf, pki), pki


def main() -> int:
	parser = argparse.ArgumentParser()
	parser.add_argument("--runs", type=int, default=5)
	args = parser.parse_args()
	warnings.filterwarnings("ignore")

	started = time.perf_counter()
	data, pki = build()
	print(
		f"generated signed PDF: {len(data) / 1024 / 1024:.2f} MiB, 100 pages ({time.perf_counter() - started:.1f} s)"
	)
	roots = [TrustRoot("AC Teste", "icp-brasil", pki.root_pem, pki.root_sha256)]
	kwargs = {
		"contract_code": CODE,
		"expected_pages": 100,
		"trust_roots": roots,
		"expected_signer_cpf": "123.456.789-09",
		"expected_signer_name": "Nome do Signatario",
	}
	walls, rss, cpus = [], [], []
	for run in range(args.runs):
		before = resource.getrusage(resource.RUSAGE_CHILDREN)
		t0 = time.perf_counter()
		verdict = check_pdf(data, **kwargs)
		wall = time.perf_counter() - t0
		after = resource.getrusage(resource.RUSAGE_CHILDREN)
		child_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
		peak_kb = verdict.stats.get("maxrss_kb", 0)
		walls.append(wall)
		rss.append(peak_kb / 1024)
		cpus.append(child_cpu)
		stages = {k: v for k, v in verdict.stats.items() if k.startswith("t_")}
		print(
			f"run {run + 1}: {verdict.decision:6s} wall {wall:.3f} s  child cpu {child_cpu:.3f} s  "
			f"child peak RSS {peak_kb / 1024:.1f} MiB  (RUSAGE_CHILDREN max {after.ru_maxrss / 1024:.1f} MiB)  "
			f"stages {stages}"
		)
		if verdict.decision != "accept":
			print("unexpected verdict:", verdict.checks)
			return 1
	wall_med, rss_max = statistics.median(walls), max(rss)
	print(
		f"\nmedian wall {wall_med:.3f} s (min {min(walls):.3f}), median child cpu {statistics.median(cpus):.3f} s, "
		f"peak RSS {rss_max:.1f} MiB"
	)
	ok = wall_med < TARGET_SECONDS and rss_max < TARGET_MB
	print(f"target < {TARGET_SECONDS:.0f} s and < {TARGET_MB} MB: {'MET' if ok else 'NOT MET'}")
	return 0 if ok else 1


if __name__ == "__main__":
	sys.exit(main())
