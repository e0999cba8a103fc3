"""Core benchmark: due dates and full SLA evaluation for 100k cases (target: due dates < 1 s).

Run: .venv/bin/python benchmarks/bench_calendar.py [cases]
"""

import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "apps" / "fiber_onboarding"))

from fiber_onboarding.core.calendar import BusinessCalendar
from fiber_onboarding.core.sla import Pause, compute_sla


def main(cases: int = 100_000) -> int:
	rng = random.Random(42)
	base = date(2024, 1, 1)
	starts = [base + timedelta(days=rng.randrange(0, 3 * 365)) for _ in range(cases)]
	terms = [rng.randint(10, 45) for _ in range(cases)]

	t0 = time.perf_counter()
	cal = BusinessCalendar("SP", extra_dates=[date(2025, 1, 25), date(2026, 1, 25)])
	build = time.perf_counter() - t0

	t0 = time.perf_counter()
	dues = [cal.add_business_days(s, n) for s, n in zip(starts, terms, strict=False)]
	due_time = time.perf_counter() - t0

	t0 = time.perf_counter()
	nexts = [cal.next_business_day_after(s) for s in starts]
	next_time = time.perf_counter() - t0

	today = date(2026, 6, 1)
	inputs = []
	for s, n in zip(starts, terms, strict=False):
		pauses = []
		if rng.random() < 0.2:
			f = s + timedelta(days=rng.randrange(1, 30))
			pauses.append(
				Pause(
					f,
					None if rng.random() < 0.3 else f + timedelta(days=rng.randrange(0, 10)),
					"x",
				)
			)
		activated = s + timedelta(days=rng.randrange(10, 90)) if rng.random() < 0.5 else None
		inputs.append((s - timedelta(days=rng.randrange(0, 5)), s, n, activated, pauses))
	t0 = time.perf_counter()
	statuses = {}
	for passage, contract, n, activated, pauses in inputs:
		r = compute_sla(
			passage,
			contract,
			n,
			today,
			activated if activated and activated <= today else None,
			pauses,
			cal,
		)
		statuses[r.status] = statuses.get(r.status, 0) + 1
	sla_time = time.perf_counter() - t0

	assert len(dues) == len(nexts) == cases
	print(f"calendar build (SP, 2000-2060):      {build * 1000:8.1f} ms")
	print(f"add_business_days x {cases}:        {due_time * 1000:8.1f} ms  (target < 1000 ms)")
	print(f"next_business_day_after x {cases}:  {next_time * 1000:8.1f} ms")
	print(f"compute_sla x {cases} (20% paused): {sla_time * 1000:8.1f} ms")
	print(f"statuses: {dict(sorted(statuses.items()))}")
	return 0 if due_time < 1.0 else 1


if __name__ == "__main__":
	sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
