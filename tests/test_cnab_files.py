"""CNAB retorno files of the six banks, CNAB 240 and 400 (tests/data/cnab, built by make_cnab_files.py).

Every file is read by ``read_retorno`` and compared with what the generator wrote (tests/data/cnab/expected.json):
the four scenarios (entrada, liquidação, baixa, rejeição), the tolerated variations and the refused files (line and
column of the refusal). The support CLI (``inspect``) is run on them too.
"""

import importlib.util
import json
from decimal import Decimal
from pathlib import Path

import pytest

from fiber_onboarding.core.cnab import CnabError, detect, read_retorno
from fiber_onboarding.core.cnab.__main__ import RETORNO_KEYS, main

DATA = Path(__file__).resolve().parent / "data" / "cnab"
MANIFEST = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))
OK = sorted(name for name, spec in MANIFEST.items() if "error" not in spec)
REFUSED = sorted(name for name, spec in MANIFEST.items() if "error" in spec)


def _load_generator():
	spec = importlib.util.spec_from_file_location("make_cnab_files", DATA / "make_cnab_files.py")
	module = importlib.util.module_from_spec(spec)
	spec.loader.exec_module(module)
	return module


def _plain(value):
	if isinstance(value, Decimal):
		return f"{value:.2f}"
	if hasattr(value, "isoformat"):
		return value.isoformat()
	if isinstance(value, tuple):
		return list(value)
	return value


def test_files_are_what_the_script_writes():
	files = _load_generator().build()
	assert len(files) == len(MANIFEST) + 1
	stale = [
		str(p.relative_to(DATA)) for p, data in files.items() if not p.exists() or p.read_bytes() != data
	]
	assert not stale, f"rode python tests/data/cnab/make_cnab_files.py: {stale}"


def test_every_bank_and_layout_has_the_scenarios_and_variations():
	banks = {(spec["bank"], spec["layout"]) for spec in MANIFEST.values()}
	assert banks == {(b, layout) for b in ("001", "033", "104", "237", "341", "756") for layout in (240, 400)}
	kinds = {}
	for name in MANIFEST:
		folder, file = name.split("/")
		kinds.setdefault((folder, file[:8]), set()).add(file[8:])
	for found in kinds.values():
		assert {f"retorno_{s}.ret" for s in ("entrada", "liquidacao", "baixa", "rejeicao")} <= found
		assert len([f for f in found if f.startswith("tolerated_")]) == 6
		assert len([f for f in found if f.startswith("refused_")]) == 5


@pytest.mark.parametrize("name", OK)
def test_retorno_file_is_read(name):
	spec = MANIFEST[name]
	data = (DATA / name).read_bytes()
	assert detect(data) == (spec["layout"], spec["bank"])
	retorno = read_retorno(data)
	assert (retorno.layout, retorno.bank_code) == (spec["layout"], spec["bank"])
	assert retorno.file_sequence in (0, 7)  # Santander's CNAB 400 retorno header has no file number
	assert retorno.generated_on.isoformat() == "2026-03-05"
	assert retorno.company_document in ("", "11222333000181")
	assert len(retorno.items) == len(spec["items"])
	for item, expected in zip(retorno.items, spec["items"], strict=True):
		got = {key: _plain(getattr(item, key)) for key in expected}
		assert got == expected
		assert (
			item.occurrence_text and not item.occurrence_text.startswith("Ocorrência ")
		) or item.status == "other"
		if item.reason_codes:
			assert item.reason


@pytest.mark.parametrize("name", REFUSED)
def test_refused_file(name):
	spec = MANIFEST[name]
	error = spec["error"]
	with pytest.raises(CnabError) as exc:
		read_retorno((DATA / name).read_bytes(), error.get("expect"))
	assert (exc.value.line, exc.value.column) == (error["line"], error["column"])
	assert str(exc.value).startswith(f"Linha {error['line']}, coluna {error['column']}: ")


@pytest.mark.parametrize("name", REFUSED)
def test_refused_files_differ_from_a_good_one_only_where_refused(name):
	"""Each refused file is the liquidação file with one change (the other-company file is the file itself)."""
	spec = MANIFEST[name]
	good = (DATA / name.replace(name.split("/")[1][8:], "retorno_liquidacao.ret")).read_bytes()
	bad = (DATA / name).read_bytes()
	if "other_company" in name:
		assert bad == good and len(read_retorno(good).items) == 2
		return
	good_lines, bad_lines = good.split(b"\r\n"), bad.split(b"\r\n")
	changed = [n for n, (a, b) in enumerate(zip(good_lines, bad_lines, strict=True), start=1) if a != b]
	assert changed == [spec["error"]["line"]]


def test_pix_payloads_and_locations():
	itau = read_retorno((DATA / "itau/cnab400_retorno_entrada.ret").read_bytes())
	assert itau.items[0].pix_payload.startswith("000201") and not itau.items[1].pix_payload
	from fiber_onboarding.core.pix import validate_emv

	assert validate_emv(itau.items[0].pix_payload)["dynamic"] is True
	for name in ("bb/cnab240_retorno_entrada.ret", "bradesco/cnab400_retorno_entrada.ret"):
		item = read_retorno((DATA / name).read_bytes()).items[0]
		assert item.pix_location.startswith("pix.example.com.br/") and item.pix_txid.startswith("FIBRA")


def test_expected_company_accepted_by_document_and_by_code():
	data = (DATA / "bb/cnab240_retorno_liquidacao.ret").read_bytes()
	assert read_retorno(data, "11.222.333/0001-81").company_document == "11222333000181"
	assert read_retorno(data, "1234567").agreement == "001234567"
	bb400 = (DATA / "bb/cnab400_retorno_liquidacao.ret").read_bytes()
	assert len(read_retorno(bb400, "1234567").items) == 2
	with pytest.raises(CnabError) as exc:  # BB CNAB 400 carries no CNPJ: a CNPJ cannot be checked there
		read_retorno(bb400, "11.222.333/0001-81")
	assert "não foi possível conferir a empresa" in exc.value.message


@pytest.mark.parametrize("name", [n for n in OK if "retorno_" in n])
def test_inspect_json(name, capsys):
	assert main(["inspect", str(DATA / name), "--json"]) == 0
	printed = json.loads(capsys.readouterr().out)
	spec = MANIFEST[name]
	assert list(printed) == [
		"layout",
		"bank_code",
		"file_sequence",
		"generated_on",
		"company_document",
		"items",
	]
	assert (printed["layout"], printed["bank_code"], printed["generated_on"]) == (
		spec["layout"],
		spec["bank"],
		"2026-03-05",
	)
	for item, expected in zip(printed["items"], spec["items"], strict=True):
		assert list(item) == list(RETORNO_KEYS)
		assert {key: item[key] for key in expected if key in item} == {
			key: value for key, value in expected.items() if key in item
		}


@pytest.mark.parametrize("name", [n for n in OK if "retorno_" in n][:8])
def test_inspect_text(name, capsys):
	assert main(["inspect", str(DATA / name)]) == 0
	out = capsys.readouterr().out
	assert out.startswith("Retorno CNAB ") and "nosso número" in out


@pytest.mark.parametrize("name", REFUSED[:10])
def test_inspect_refused_exits_1_with_the_reason(name, capsys):
	error = MANIFEST[name]["error"]
	args = ["inspect", str(DATA / name)] + (["--empresa", error["expect"]] if "expect" in error else [])
	assert main(args) == 1
	captured = capsys.readouterr()
	assert captured.out == ""
	assert captured.err.startswith(f"Erro: Linha {error['line']}, coluna {error['column']}: ")
