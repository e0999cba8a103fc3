"""Builds the CNAB retorno test files under tests/data/cnab/<bank>/ and their expectations (expected.json).

	python tests/data/cnab/make_cnab_files.py          # rewrite the files (deterministic: no clock, no random)
	python tests/data/cnab/make_cnab_files.py --check  # exit 1 when a file differs from what it would write

Each file is written record by record at the positions the bank's manual prints (1-based, as in the manuals);
this script does not use the app's CNAB layouts, so a wrong position in either shows up as a failing test. Per
bank and layout: four retorno files (entrada confirmada, liquidação, baixa, rejeição with motives), the tolerated
variations (UTF-8 BOM, CR only, Latin-1, trailing blank at 241/401, no final line end, lowercase) and the refused
ones (wrong record count, non-numeric amount, invalid date, unknown bank, file of another company).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bank_records import (
	BANKS,
	EMV,
	LOCATION,
	OTHER_COMPANY,
	PIX_240,
	SCENARIOS,
	STATUS_OVERRIDES,
	TXID,
	retorno_240,
	retorno_400,
)

# ---------------------------------------------------------------------------------------------------------------
# Variations, expectations, files
# ---------------------------------------------------------------------------------------------------------------


def expected_items(bank: str, layout: int, scenario: str) -> list[dict]:
	spec = BANKS[bank]
	motives = spec[f"motives{layout}"].get(scenario, "")
	size = 3 if (layout == 400 and bank in ("104", "033")) else 2
	codes = [motives[i : i + size] for i in range(0, len(motives), size) if motives[i : i + size].strip(" 0")]
	out = []
	for t in SCENARIOS[scenario]:
		status = STATUS_OVERRIDES.get((bank, layout, scenario), t["what"])
		item = {
			"nosso_numero": spec["key"](t["seq"]),
			"document_number": t["doc"],
			"occurrence_code": spec[f"codes{layout}"][scenario],
			"status": status,
			"reason_codes": codes,
			"amount_title": t["title"],
			"amount_paid": t.get("paid", "0.00"),
			"fees": t.get("fees", "0.00"),
			"interest": t.get("interest", "0.00"),
			"due_date": "2026-03-10",
		}
		if "paid_on" in t:
			item["payment_date"] = f"{t['paid_on'][4:]}-{t['paid_on'][2:4]}-{t['paid_on'][:2]}"
		if "credit_on" in t:
			item["credit_date"] = f"{t['credit_on'][4:]}-{t['credit_on'][2:4]}-{t['credit_on'][:2]}"
		if t.get("pix") and ((layout == 240 and bank in PIX_240) or (layout == 400 and bank == "237")):
			item["pix_location"] = LOCATION
			item["pix_txid"] = TXID
		if t.get("pix") and layout == 400 and bank == "341":
			item["pix_payload"] = EMV
		out.append(item)
	return out


def variations(text: str, layout: int) -> dict[str, bytes]:
	lines = text[:-2].split("\r\n")
	name = "PADARIA SAO JOAO LTDA"
	latin = text.replace(name, "PADARIA SÃO JOÃO LTDA")
	lower = text.replace("FAT-0101", "fat-0101").replace(name, name.lower())
	if layout == 240:
		lower = "\r\n".join(line[:13] + line[13].lower() + line[14:] if line[7] == "3" else line for line in lower[:-2].split("\r\n")) + "\r\n"  # fmt: skip
	else:
		lower = lower.replace("02RETORNO01COBRANCA", "02retorno01cobranca", 1)
	padded = list(lines)
	padded[1] += " "
	return {
		"tolerated_bom.ret": b"\xef\xbb\xbf" + text.encode("utf-8"),
		"tolerated_cr.ret": "\r".join(lines).encode("ascii") + b"\r",
		"tolerated_latin1.ret": latin.encode("latin-1"),
		"tolerated_blank_past_end.ret": ("\r\n".join(padded) + "\r\n").encode("ascii"),
		"tolerated_no_final_newline.ret": text[:-2].encode("ascii"),
		"tolerated_lowercase.ret": lower.encode("ascii"),
	}


def put(line: str, start: int, value: str) -> str:
	return line[: start - 1] + value + line[start - 1 + len(value) :]


def refused(bank: str, layout: int, text: str) -> dict[str, tuple[bytes, dict]]:
	lines = text[:-2].split("\r\n")
	out = {}

	def file(changed: list[str]) -> bytes:
		return ("\r\n".join(changed) + "\r\n").encode("ascii")

	if layout == 240:
		wrong = put(lines[-1], 24, str(len(lines) + 1).zfill(6))
		out["refused_wrong_count.ret"] = (file([*lines[:-1], wrong]), {"line": len(lines), "column": 24})
		u = 4  # the first title's segment U (line 4)
		bad = put(lines[u - 1], 80, "A")
		out["refused_bad_amount.ret"] = (file([*lines[: u - 1], bad, *lines[u:]]), {"line": 4, "column": 80})
		bad = put(lines[u - 1], 138, "31022026")
		out["refused_bad_date.ret"] = (file([*lines[: u - 1], bad, *lines[u:]]), {"line": 4, "column": 138})
		out["refused_unknown_bank.ret"] = (
			file([put(lines[0], 1, "999"), *lines[1:]]),
			{"line": 1, "column": 1},
		)
		column = 18 if bank == "033" else 19
		out["refused_other_company.ret"] = (
			file(lines),
			{"line": 1, "column": column, "expect": OTHER_COMPANY},
		)
		return out
	n = len(lines)
	wrong = put(lines[-1], 395, str(n + 1).zfill(6))
	out["refused_wrong_count.ret"] = (file([*lines[:-1], wrong]), {"line": n, "column": 395})
	bad = put(lines[1], 256, "A")
	out["refused_bad_amount.ret"] = (file([lines[0], bad, *lines[2:]]), {"line": 2, "column": 256})
	bad = put(lines[1], 147, "310226")
	out["refused_bad_date.ret"] = (file([lines[0], bad, *lines[2:]]), {"line": 2, "column": 147})
	out["refused_unknown_bank.ret"] = (
		file([put(lines[0], 77, "999"), *lines[1:]]),
		{"line": 1, "column": 77},
	)
	if bank == "001":  # no CPF/CNPJ in CBR643: the company is its convênio
		expect = {"line": 1, "column": 150, "expect": "7654321"}
	else:
		expect = {"line": 2, "column": 4, "expect": OTHER_COMPANY}
	out["refused_other_company.ret"] = (file(lines), expect)
	return out


def build() -> dict[Path, bytes]:
	files: dict[Path, bytes] = {}
	manifest: dict[str, dict] = {}
	for bank, spec in BANKS.items():
		folder = HERE / spec["dir"]
		for layout in (240, 400):
			build_one = retorno_240 if layout == 240 else retorno_400
			texts = {scenario: build_one(bank, scenario) for scenario in SCENARIOS}
			for scenario, text in texts.items():
				name = f"cnab{layout}_retorno_{scenario}.ret"
				files[folder / name] = text.encode("ascii")
				manifest[f"{spec['dir']}/{name}"] = {
					"bank": bank,
					"layout": layout,
					"items": expected_items(bank, layout, scenario),
				}
			for name, data in variations(texts["liquidacao"], layout).items():
				items = expected_items(bank, layout, "liquidacao")
				if name == "tolerated_lowercase.ret":
					items[0]["document_number"] = "fat-0101"
				name = f"cnab{layout}_{name}"
				files[folder / name] = data
				manifest[f"{spec['dir']}/{name}"] = {"bank": bank, "layout": layout, "items": items}
			for name, (data, error) in refused(bank, layout, texts["liquidacao"]).items():
				name = f"cnab{layout}_{name}"
				files[folder / name] = data
				manifest[f"{spec['dir']}/{name}"] = {"bank": bank, "layout": layout, "error": error}
	files[HERE / "expected.json"] = (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode("utf-8")
	return files


def main(argv: list[str]) -> int:
	files = build()
	if "--check" in argv:
		stale = [
			str(p.relative_to(HERE)) for p, data in files.items() if not p.exists() or p.read_bytes() != data
		]
		if stale:
			print("arquivos desatualizados:", ", ".join(stale))
			return 1
		return 0
	for path, data in files.items():
		path.parent.mkdir(parents=True, exist_ok=True)
		path.write_bytes(data)
	print(f"{len(files)} arquivos em {HERE}")
	return 0


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
