"""The table of ``run_portal_load.sh``: locust's stats CSV of each run (1, 20, 50 users) side by side with the
stock ``/me`` page of the same run. Standard library only.

    python benchmarks/portal_load_report.py benchmarks/out/portal_load 1 20 50

For each page and each number of users: p50 and p95 (ms), requests/s, failures, mean answer size, and the cost
ratio to ``/me`` in the same run (p50 over ``/me``'s p50; the target is ≤ 1.2).
"""

from __future__ import annotations

import csv
import sys

STOCK = "/me (Frappe stock)"
ORDER = (
	STOCK,
	"/ativacoes",
	"/ativacoes/<case>",
	"/boleto",
	"/projeto/aprovar",
	"/contrato/enviar",
	"/cadastro (GET)",
	"/cadastro (POST register)",
	"staff list (reportview.get)",
)
TARGET = 1.2


def read_stats(path: str) -> dict[str, dict]:
	with open(path, newline="", encoding="utf-8") as fh:
		return {
			row["Name"]: row for row in csv.DictReader(fh) if row["Name"] not in ("Aggregated", "(login)")
		}


def _num(row: dict, column: str) -> float:
	try:
		return float(row.get(column) or 0)
	except ValueError:
		return 0.0


def table(prefix: str, users: list[str]) -> str:
	lines = [
		"| page | users | requests | failures | p50 ms | p95 ms | req/s | KB | p50 ÷ /me p50 |",
		"|---|---:|---:|---:|---:|---:|---:|---:|---:|",
	]
	verdicts = []
	runs = {u: read_stats(f"{prefix}_{u}users_stats.csv") for u in users}
	for name in ORDER:
		for u in users:
			row = runs[u].get(name)
			if row is None:
				continue
			stock = runs[u].get(STOCK)
			p50 = _num(row, "50%")
			ratio = p50 / _num(stock, "50%") if stock and _num(stock, "50%") else None
			lines.append(
				f"| {name} | {u} | {int(_num(row, 'Request Count'))} | {int(_num(row, 'Failure Count'))} "
				f"| {p50:.0f} | {_num(row, '95%'):.0f} | {_num(row, 'Requests/s'):.2f} "
				f"| {_num(row, 'Average Content Size') / 1024:.1f} "
				f"| {'' if ratio is None or name == STOCK else f'{ratio:.2f}'} |"
			)
			if ratio is not None and name != STOCK and ratio > TARGET:
				verdicts.append(f"{name} at {u} users: {ratio:.2f}× the stock page (target ≤ {TARGET}×)")
	lines.append("")
	if len(lines) == 3:
		lines.append("No measurement: the runs made no request (see the runner's output).")
	elif verdicts:
		lines.append("Over the target: " + "; ".join(verdicts))
	else:
		lines.append(f"Every page ≤ {TARGET}× the stock page (p50, same run).")
	return "\n".join(lines)


if __name__ == "__main__":
	print(table(sys.argv[1], sys.argv[2:]))
