"""Benchmark of the CNAB core (one core, pure Python): reading retorno files and writing remessa files.

	python benchmarks/bench_cnab.py [--lines N] [--items N]

Targets: read ≥ 300 000 lines/s in CNAB 240 and in CNAB 400 (``read_retorno`` on a generated file of the bank,
all fields converted and checked); write ≥ 100 000 remessa titles/s (``write_remessa``). Prints the numbers, the
targets and whether this machine meets them (CPU time of one core); never asserts (no verdict on machine speed).

Instructions per line/title, independent of the machine's load, for comparing versions: run a read or write of N and
of 6N under ``valgrind --tool=callgrind`` and divide the difference of the totals by 5N.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "apps" / "fiber_onboarding"))
sys.path.insert(0, str(ROOT / "tests" / "data" / "cnab"))

import bank_records as files  # bank-like retorno records, as the test-data generator writes them

from fiber_onboarding.core.cnab import Agreement, BankAccount, Payer, RemessaItem, read_retorno, write_remessa

AGREEMENTS = {
	"001": Agreement(BankAccount("001", "1234", "56789", wallet="17-019", agreement="1234567"), "Fibra", "11222333000181"),
	"341": Agreement(BankAccount("341", "0057", "12345", wallet="109"), "Fibra", "11222333000181"),
	"237": Agreement(
		BankAccount("237", "3381", "1234567", account_dv="8", wallet="09"), "Fibra", "11222333000181",
		transmission_code="4567890", agency_dv="2",
	),
	"104": Agreement(BankAccount("104", "1234", "", beneficiary_code="005507"), "Fibra", "11222333000181", agency_dv="0"),
	"033": Agreement(
		BankAccount("033", "3001", "13000123", account_dv="4", beneficiary_code="0282033"), "Fibra", "11222333000181",
		transmission_code="300100028203300",
	),
	"756": Agreement(
		BankAccount("756", "4133", "123456", account_dv="7", wallet="1", beneficiary_code="1234567"), "Fibra",
		"11222333000181", agency_dv="3", beneficiary_dv="9",
	),
}  # fmt: skip


READ_TARGET = 300_000  # lines/s, CNAB 240 and CNAB 400
WRITE_TARGET = 100_000  # remessa titles/s


def verdict(rate: float, target: int) -> str:
	return f"target {target:,}: {'met' if rate >= target else 'NOT met'}"


def best_of(runs: int, fn) -> tuple[float, float]:
	"""(best CPU time, best wall time) over ``runs`` runs; CPU time is the figure compared with the targets."""
	best_cpu = best_wall = float("inf")
	for _ in range(runs):
		wall = time.perf_counter()
		start = time.process_time()
		fn()
		best_cpu = min(best_cpu, time.process_time() - start)
		best_wall = min(best_wall, time.perf_counter() - wall)
	return best_cpu, best_wall


def retorno_240(bank: str, n_lines: int) -> bytes:
	lines = files.header_240(bank)
	seq, k = 1, 0
	scenarios = ("liquidacao", "entrada", "baixa", "rejeicao")
	while len(lines) < n_lines - 2:
		scenario = scenarios[k % 4]
		t = dict(files.SCENARIOS[scenario][0], seq=100 + k, pix=False)
		code = files.BANKS[bank]["codes240"][scenario]
		details = files.detail_240(bank, seq, code, t, files.BANKS[bank]["motives240"].get(scenario, ""))
		lines += details
		seq += len(details)
		k += 1
	lines.append(
		files.Rec(240).put(1, bank).put(4, "0001").put(8, "5").put(18, str(len(lines)).zfill(6)).text()
	)
	lines.append(
		files.Rec(240)
		.put(1, bank)
		.put(4, "9999")
		.put(8, "9")
		.put(18, "000001")
		.put(24, str(len(lines) + 1).zfill(6))
		.text()
	)
	return ("\r\n".join(lines) + "\r\n").encode("ascii")


def retorno_400(bank: str, n_lines: int) -> bytes:
	records = [files.header_400(bank)]
	scenarios = ("liquidacao", "entrada", "baixa", "rejeicao")
	k = 0
	while len(records) < n_lines - 1:
		scenario = scenarios[k % 4]
		t = dict(files.SCENARIOS[scenario][0], seq=100 + k, pix=False)
		code = files.BANKS[bank]["codes400"][scenario]
		records += files.detail_400(bank, code, t, files.BANKS[bank]["motives400"].get(scenario, ""))
		k += 1
	records.append(files.trailer_400(bank, len(records) - 1))
	for number, rec in enumerate(records, start=1):
		rec.put(395, str(number).zfill(6))
	return ("\r\n".join(rec.text() for rec in records) + "\r\n").encode("ascii")


def bench_read(layout: int, n_lines: int) -> list[tuple[str, float, float, int]]:
	out = []
	for bank in sorted(AGREEMENTS):
		data = retorno_240(bank, n_lines) if layout == 240 else retorno_400(bank, n_lines)
		lines = data.count(b"\n")
		result = []

		def run(data=data):
			result.clear()  # one file's items alive at a time, as in the app (not three 100k-item copies)
			result.append(read_retorno(data))

		cpu, wall = best_of(3, run)
		out.append((bank, lines / cpu, lines / wall, len(result[-1].items)))
	return out


def bench_write(layout: int, n_items: int) -> list[tuple[str, float, float]]:
	# one payer per title, as in the app's remessa (each boleto is another customer's): a writer's per-payer cache
	# gets no help from the benchmark
	payers = [
		Payer(f"Cliente {i} Ltda", "11222333000181", f"Rua {i}, {i}", "01310100", "São Paulo", "SP", "Centro")
		for i in range(n_items)
	]
	items = [
		RemessaItem(
			nosso_numero=1000 + i,
			document_number=f"FAT-{i:07d}",
			due_date=date(2026, 3, 10 + i % 15),
			amount=Decimal(10000 + i % 90000).scaleb(-2),
			issue_date=date(2026, 3, 2),
			payer=payers[i],
			fine_percent=Decimal("2"),
			monthly_interest_percent=Decimal("1"),
		)
		for i in range(n_items)
	]
	out = []
	for bank, agreement in sorted(AGREEMENTS.items()):
		if (bank, layout) == ("033", 400):
			agreement = Agreement(
				agreement.account, "Fibra", "11222333000181", transmission_code="30010002820330001300"
			)
		cpu, wall = best_of(
			3, lambda a=agreement: write_remessa(a, items, 1, datetime(2026, 3, 2, 8, 0), layout)
		)
		out.append((bank, n_items / cpu, n_items / wall))
	return out


def main() -> int:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--lines", type=int, default=100_000)
	parser.add_argument("--items", type=int, default=30_000)
	args = parser.parse_args()
	print(f"python {sys.version.split()[0]}, best of 3 runs, one core; rates by CPU time (wall time)")
	for layout in (240, 400):
		rates = bench_read(layout, args.lines)
		low = min(r[1] for r in rates)
		for bank, cpu, wall, titles in rates:
			print(
				f"read  CNAB {layout} {bank}: {cpu:>9,.0f} lines/s ({wall:,.0f}/s wall)  [{titles:,} titles]"
			)
		print(f"read  CNAB {layout} slowest bank: {low:,.0f} lines/s  {verdict(low, READ_TARGET)}")
	for layout in (240, 400):
		rates = bench_write(layout, args.items)
		low = min(r[1] for r in rates)
		for bank, cpu, wall in rates:
			print(f"write CNAB {layout} {bank}: {cpu:>9,.0f} titles/s ({wall:,.0f}/s wall)")
		print(f"write CNAB {layout} slowest bank: {low:,.0f} titles/s  {verdict(low, WRITE_TARGET)}")
	return 0


if __name__ == "__main__":
	sys.exit(main())
