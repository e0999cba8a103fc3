"""``core.pdfcheck`` budgets: each deterministic limit on a small crafted PDF, the linear-time parser
replacements, and the last-resort kills of the child process (their own reason, never a budget's).

Budget tests run in-process (``api._check_in_process``: the same ``run_checks`` and budgets as the child) with a
limit lowered through ``monkeypatch`` where a tiny file cannot reach the real one; each checks the decision, the
failed check, that the reason names the limit and ``stats['budget']``. The kill tests replace the worker's
``run_checks`` with a runaway (busy loop, sleep, huge allocation) in a real child process.
"""

from __future__ import annotations

import io
import logging
import re
import sys
import warnings
import zlib
from pathlib import Path

import pdf_factory as pf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fiber_onboarding.core.pdfcheck import REJECT, REVIEW, _readers, api, bounds, check_pdf, checks
from fiber_onboarding.core.pdfcheck._patches import bounded_parsing
from fiber_onboarding.core.pdfcheck.api import _check_in_process
from fiber_onboarding.core.pdfcheck.model import KILL_MEMORY, KILL_TIME

CODE = "CTR-2026-00042"
TEXT = b"BT /F1 12 Tf 56 760 Td (Contrato " + CODE.encode() + b") Tj ET"


def run(data: bytes, **kwargs):
	kwargs.setdefault("contract_code", CODE)
	return _check_in_process(data, **kwargs)


def failed(verdict) -> dict:
	return {c["check"]: c["detail"] for c in verdict.checks if c["outcome"] == "fail"}


def assert_budget(verdict, check: str, budget: str, *words: str) -> None:
	assert verdict.decision == REJECT, verdict.checks
	detail = failed(verdict).get(check, "")
	assert all(word in detail for word in words), (words, verdict.checks)
	assert verdict.stats.get("budget") == budget, verdict.stats
	assert "kill" not in verdict.stats


# ---------------------------------------------------------------------------------------------------------------
# One test per budget
# ---------------------------------------------------------------------------------------------------------------


def test_objects_budget(monkeypatch):
	contract = pf.contract_pdf(CODE, 3)
	assert run(contract).stats["usage"]["objects"] < bounds.MAX_OBJECTS
	monkeypatch.setattr(bounds, "MAX_OBJECTS", 40)
	assert_budget(run(contract), "parse", "objects", "mais de 40 objetos")


def test_nesting_budget(monkeypatch):
	nested = pf.contract_pdf(CODE, 1, extras=pf.Extras(catalog="/Junk " + "[" * 30 + "]" * 30))
	assert run(nested).decision == REVIEW  # 30 levels are fine (unsigned: review)
	monkeypatch.setattr(bounds, "MAX_NESTING", 20)
	assert_budget(run(nested), "parse", "nesting", "mais de 20 níveis")


def test_content_operators_budget(monkeypatch):
	contract = pf.contract_pdf(CODE, 3)
	monkeypatch.setattr(bounds, "MAX_CONTENT_OPS", 15)
	assert_budget(run(contract), "parse", "content_ops", "mais de 15 operadores")


def test_content_bytes_budget(monkeypatch):
	monkeypatch.setattr(bounds, "MAX_CONTENT_BYTES", 200)
	page = pf.page_pdf(TEXT + b"\n" + b" " * 300)
	assert_budget(run(page), "parse", "content_bytes", "mais de 200 bytes")


def test_text_characters_budget(monkeypatch):
	monkeypatch.setattr(bounds, "MAX_TEXT_CHARS", 100)
	page = pf.page_pdf(TEXT + b" BT /F1 12 Tf (" + b"x" * 200 + b") Tj ET")
	assert_budget(run(page), "parse", "text_chars", "mais de 100 caracteres")


def _long_mapping_font(b) -> dict:
	"""A font whose character map turns code 01 into 500 characters (text amplification)."""
	cmap = b"beginbfchar\n<01> <" + b"0041" * 500 + b">\nendbfchar\n"
	to_unicode = b.add("", stream=cmap)
	font = b.add(f"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode {to_unicode} 0 R >>")
	return {"Font": f"/F2 {font} 0 R"}


def test_text_characters_are_charged_before_decoding():
	"""3 000 codes of 500 characters each: refused from the string length and the font's longest mapping,
	before pypdf builds 1.5 million characters."""
	page = pf.page_pdf(TEXT + b" BT /F2 12 Tf <" + b"01" * 3000 + b"> Tj ET", hook=_long_mapping_font)
	assert_budget(run(page), "parse", "text_chars", "mais de 1.000.000 caracteres")


def test_form_xobject_depth_budget():
	def self_drawing_form(b) -> dict:
		form = b.reserve()
		b.add(
			f"/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << /XObject << /Fx {form} 0 R >> >>",
			stream=b"q /Fx Do Q",
			num=form,
		)
		return {"XObject": f"/Fx {form} 0 R"}

	page = pf.page_pdf(TEXT + b" q /Fx Do Q", hook=self_drawing_form)
	assert_budget(run(page), "parse", "xobject_depth", f"mais de {bounds.MAX_XOBJECT_DEPTH} níveis")


def test_font_entries_budget_character_map(monkeypatch):
	def full_range_font(b) -> dict:
		to_unicode = b.add("", stream=b"beginbfrange\n<0000> <FFFF> <0000>\nendbfrange\n")
		font = b.add(
			f"<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H /ToUnicode {to_unicode} 0 R >>"
		)
		return {"Font": f"/F2 {font} 0 R"}

	page = pf.page_pdf(TEXT, hook=full_range_font)
	assert run(page).stats["usage"]["font_entries"] == 65536
	monkeypatch.setattr(bounds, "MAX_FONT_ENTRIES", 10_000)
	assert_budget(run(page), "parse", "font_entries", "mais de 10.000 entradas")


def test_font_entries_budget_glyph_widths():
	"""A CID font declaring one width for two billion codes: pypdf 3.17 would build a dictionary that big."""

	def wide_font(b) -> dict:
		cid = b.add("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /X /W [0 2000000000 500] >>")
		font = b.add(
			f"<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H /DescendantFonts [{cid} 0 R] >>"
		)
		return {"Font": f"/F2 {font} 0 R"}

	assert_budget(run(pf.page_pdf(TEXT, hook=wide_font)), "parse", "font_entries", "entradas")


def test_pages_budget(monkeypatch):
	monkeypatch.setattr(checks, "MAX_PAGES", 2)
	verdict = run(pf.contract_pdf(CODE, 3))
	assert_budget(verdict, "page_count", "pages", "mais de 2")


def test_page_tree_depth_budget():
	b = pf.PdfBuilder()
	catalog, page = b.reserve(), b.reserve()
	parent = b.reserve()
	b.add(f"<< /Type /Page /Parent {parent} 0 R /MediaBox [0 0 10 10] >>", num=page)
	kid = page
	for level in range(checks.MAX_PAGE_TREE_DEPTH + 5):
		num = parent if level == 0 else b.reserve()
		b.add(f"<< /Type /Pages /Count 1 /Kids [{kid} 0 R] >>", num=num)
		kid = num
	b.add(f"<< /Type /Catalog /Pages {kid} 0 R >>", num=catalog)
	verdict = run(b.to_bytes(catalog))
	assert_budget(verdict, "page_count", "page_tree_depth", f"mais de {checks.MAX_PAGE_TREE_DEPTH} níveis")


def test_xref_sections_budget(monkeypatch):
	pdf = pf.contract_pdf(CODE, 1)
	for _ in range(5):
		pdf = pf.append_update(pdf, {}, root_override=pf.catalog_text(pdf)[1])
	assert run(pdf).decision == REVIEW
	monkeypatch.setattr(bounds, "MAX_XREF_SECTIONS", 3)
	assert_budget(run(pdf), "parse", "xref", "mais de 3")


def test_xref_prev_cycle_is_refused():
	pdf = pf.contract_pdf(CODE, 1)
	sx = pdf.rfind(b"startxref")
	xref_at = int(pdf[sx + 9 :].split()[0])
	loop = pdf[:sx].replace(b"trailer\n<<", b"trailer\n<< /Prev %d" % xref_at) + pdf[sx:]
	assert_budget(run(loop), "parse", "xref_cycle", "ciclo")


def test_lzw_and_run_length_share_the_decompression_caps():
	from pypdf.filters import LZWDecode, RunLengthDecode

	sample = pf.lzw_bomb(1 << 20)
	assert bounds.Budget().lzw(sample) == LZWDecode.decode(sample)  # pypdf's own output
	rle = b"\x02abc\xfdz\x80"
	assert bounds.Budget().run_length(rle) == RunLengthDecode.decode(rle) == b"abczzzz"
	budget = bounds.Budget(total=8 << 20, per_stream=4 << 20)
	with pytest.raises(bounds.LimitExceeded, match="4 MB por fluxo, 8 MB no total"):
		budget.lzw(pf.lzw_bomb(16 << 20))
	with pytest.raises(bounds.LimitExceeded):  # sticky: every later stream fails too
		budget.run_length(rle)
	budget = bounds.Budget(total=8 << 20, per_stream=4 << 20)
	with pytest.raises(bounds.LimitExceeded, match="bomba"):
		budget.run_length(b"\x81\x00" * (1 << 16) + b"\x80")  # 128 bytes per 2: 8 MiB


def test_lzw_bomb_is_stopped_by_the_byte_budget():
	"""pypdf 3.17 decodes /LZWDecode without any bound (CVE-2025-62708 class): our decoder has the same caps as
	Flate, so the verdict no longer depends on the child's memory limit."""
	b = pf.PdfBuilder()
	catalog, pages = b.reserve(), b.reserve()
	font = b.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	lzw = b.add("/Filter /LZWDecode", stream=pf.lzw_bomb(2 << 30))
	page = b.add(
		f"<< /Type /Page /Parent {pages} 0 R /MediaBox [0 0 10 10] /Resources << /Font << /F1 {font} 0 R >> >> "
		f"/Contents {lzw} 0 R >>"
	)
	b.add(f"<< /Type /Pages /Kids [{page} 0 R] /Count 1 >>", num=pages)
	b.add(f"<< /Type /Catalog /Pages {pages} 0 R >>", num=catalog)
	bomb = b.to_bytes(catalog)
	assert_budget(run(bomb), "parse", "inflate", "24 MB por fluxo")
	assert_budget(check_pdf(bomb, contract_code=CODE, memory_mb=200), "parse", "inflate", "bomba")


def test_patches_are_restored():
	import pypdf.filters
	import pypdf.generic._data_structures as data_structures

	before = (
		pypdf.filters.decompress,
		data_structures.read_object,
		pypdf.filters.LZWDecode.__dict__["decode"],
	)
	with pytest.raises(RuntimeError), bounded_parsing():
		assert pypdf.filters.decompress is not before[0]
		raise RuntimeError
	after = (
		pypdf.filters.decompress,
		data_structures.read_object,
		pypdf.filters.LZWDecode.__dict__["decode"],
	)
	assert after == before


# ---------------------------------------------------------------------------------------------------------------
# Linear-time string readers: the libraries' own results
# ---------------------------------------------------------------------------------------------------------------

_LITERAL = st.binary(max_size=14).map(lambda b: b"(" + b + b")) tail") | st.lists(
	st.sampled_from([b"(", b")", b"\\", b"n", b"7", b"1", b"9", b"\r", b"\n", b" ", b"x", b"\xe9", b"c"]),
	max_size=14,
).map(lambda parts: b"(" + b"".join(parts) + b") tail")
_HEX = st.lists(
	st.sampled_from([b"0", b"7", b"a", b"F", b" ", b"\n", b"\x0c", b"\x00", b"%", b"+", b"g", b">"]),
	max_size=14,
).map(lambda parts: b"<" + b"".join(parts) + b"> tail")


def _outcome(reader, data: bytes):
	stream = io.BytesIO(data)
	try:
		value = reader(stream)
	except Exception:
		return "error"
	payload = getattr(value, "original_bytes", value)
	return type(value).__name__, payload if isinstance(payload, str) else bytes(payload), stream.tell()


@settings(max_examples=300, deadline=None)
@given(literal=_LITERAL, hexa=_HEX)
def test_string_readers_match_the_libraries(literal, hexa):
	import pyhanko.pdf_utils.generic as ph
	import pypdf.generic._utils as pypdf_utils

	logging.disable(logging.WARNING)
	try:
		with warnings.catch_warnings():
			warnings.simplefilter("ignore")
			pairs = [
				(_readers.pypdf_read_string, pypdf_utils.read_string_from_stream, literal),
				(_readers.pypdf_read_hex_string, pypdf_utils.read_hex_string_from_stream, hexa),
				(_readers.pyhanko_string_literal_bytes, ph._read_string_literal_bytes, literal),
				(_readers.pyhanko_read_hex_string, ph.read_hex_string_from_stream, hexa),
			]
			for fast, original, data in pairs:
				assert _outcome(fast, data) == _outcome(original, data), (fast.__name__, data)
			for data in (literal, hexa):
				try:
					expected = pypdf_utils.decode_pdfdocencoding(data)
				except UnicodeDecodeError:
					expected = "error"
				try:
					assert _readers.pypdf_decode_pdfdocencoding(data) == expected
				except UnicodeDecodeError:
					assert expected == "error"
	finally:
		logging.disable(logging.NOTSET)


_TOKENS = st.lists(
	st.sampled_from(
		[b"a", b"1", b".", b"-", b" ", b"\n", b"\r", b"/", b"(", b"%", b"end", b"stream", b"endstream"]
	),
	max_size=12,
).map(b"".join)


@settings(max_examples=300, deadline=None)
@given(data=_TOKENS, at=st.integers(0, 14))
def test_token_readers_match_pypdf(data, at):
	import pypdf._utils as pypdf_utils
	from pypdf.generic import NameObject, NumberObject

	at = min(at, len(data))
	for pattern in (NameObject.delimiter_pattern, NumberObject.NumberPattern, re.compile(b"endstream")):
		fast, original = io.BytesIO(data), io.BytesIO(data)
		fast.seek(at)
		original.seek(at)
		assert _readers.pypdf_read_until_regex(fast, pattern) == pypdf_utils.read_until_regex(
			original, pattern
		)
		assert fast.tell() == original.tell()
	if b"\n" in data[at:] or b"\r" in data[at:] or data[at : at + 1] != b"%":  # pypdf never ends otherwise
		fast, original = io.BytesIO(data), io.BytesIO(data)
		fast.seek(at)
		original.seek(at)
		_readers.pypdf_skip_over_comment(fast)
		pypdf_utils.skip_over_comment(original)
		assert fast.tell() == original.tell()


def test_comment_meeting_the_end_of_the_data_is_not_an_endless_loop():
	"""An xref entry pointing at the final %%EOF (pypdf 3.17 loops forever skipping that "comment"), and an
	object-stream object that is only a comment (pyHanko loops forever): ordinary verdicts, no kill."""
	pdf = pf.contract_pdf(CODE, 1).rstrip(b"\n")
	row = list(re.finditer(rb"(\d{10}) 00000 n", pdf))[2]
	at_eof = pdf[: row.start()] + b"%010d" % pdf.rfind(b"%%EOF") + pdf[row.start() + 10 :]
	b = pf.PdfBuilder()
	b.add("<< /Type /Catalog /Pages 2 0 R /AcroForm 4 0 R >>", num=1)
	b.add("<< /Type /Pages /Kids [3 0 R] /Count 1 >>", num=2)
	b.add("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>", num=3)
	b.add("%x", num=4)
	stream = b"1 0 2 %d 3 %d 4 %d\n" % (
		len(b._objects[1]) + 1,
		len(b._objects[1]) + len(b._objects[2]) + 2,
		len(b._objects[1]) + len(b._objects[2]) + len(b._objects[3]) + 3,
	)
	stream += b"\n".join(b._objects[n] for n in (1, 2, 3, 4))  # no end of line after the last object
	comment_only = b.to_bytes(1, objstm=True, objstm_data=zlib.compress(stream))
	verdicts = [check_pdf(data, contract_code=CODE) for data in (at_eof, comment_only)]
	assert_budget(verdicts[0], "parse", None, "xref")  # a damaged cross-reference table, as any other
	assert verdicts[1].decision == REVIEW and "kill" not in verdicts[1].stats, verdicts[1].checks


@settings(max_examples=300, deadline=None)
@given(
	name=st.lists(
		st.sampled_from([b"#", b"4", b"a", b"F", b"g", b"/", b" ", b"(", b"\xe9", b"~", b"%"]), max_size=10
	)
)
def test_pyhanko_name_readers_match(name):
	import pyhanko.pdf_utils.generic as ph
	import pyhanko.pdf_utils.misc as ph_misc

	data = b"/" + b"".join(name)

	def fast(stream):
		stream.read(1)
		return _readers.pyhanko_decode_name(_readers.pyhanko_read_until_delimiter(stream))

	def original(stream):
		stream.read(1)
		return ph._decode_name(ph_misc.read_until_delimiter(stream))

	assert _outcome(fast, data) == _outcome(original, data)
	number = b"-" + data[1:]
	pattern = ph.NumberObject.NumberPattern
	for eof in (True, False):
		assert _outcome(lambda s: _readers.pyhanko_read_until_regex(s, pattern, ignore_eof=eof), number) == (
			_outcome(lambda s: ph_misc.read_until_regex(s, pattern, ignore_eof=eof), number)
		)


@pytest.mark.parametrize(
	"junk",
	[
		"<" + "41" * 2_250_000 + ">",  # hex string
		"(" + "x" * 4_500_000 + ")",  # literal string
		"/" + "A" * 4_500_000,  # name
		"1 %" + "x" * 4_500_000 + "\n",  # comment
	],
	ids=["hex-string", "literal-string", "name", "comment"],
)
def test_huge_tokens_parse_in_linear_time(junk):
	"""A 4.5 MB token in the catalogue: both libraries read it in C (byte by byte, or re-scanning it, they take
	from seconds to forever and up to a gigabyte). The ordinary verdict for an unsigned contract, no kill."""
	verdict = check_pdf(
		pf.contract_pdf(CODE, 1, extras=pf.Extras(catalog="/Junk " + junk)), contract_code=CODE
	)
	assert verdict.decision == REVIEW and not failed(verdict), verdict.checks


# ---------------------------------------------------------------------------------------------------------------
# Last-resort kills: their own reason, never a budget's
# ---------------------------------------------------------------------------------------------------------------


def _runaway_worker(monkeypatch, tmp_path: Path, body: str) -> None:
	"""Make check_pdf start the real worker (its limits, its protocol) with ``run_checks`` replaced by ``body``."""
	script = tmp_path / "runaway.py"
	script.write_text(
		"import sys, time\n"
		"from fiber_onboarding.core.pdfcheck import _worker\n"
		"def run_checks(data, options):\n"
		f"    {body}\n"
		"_worker.run_checks = run_checks\n"
		"sys.exit(_worker.main())\n"
	)
	launcher = tmp_path / "python"
	launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{script}"\n')
	launcher.chmod(0o755)
	monkeypatch.setattr(api.sys, "executable", str(launcher))


def _assert_kill(verdict, reason: str, kill: str) -> None:
	assert verdict.decision == REJECT
	assert failed(verdict) == {"parse": reason}
	assert verdict.stats == {"kill": kill}
	assert not re.search(r"limite da análise|bomba", reason)  # worded apart from every budget


def test_last_resort_cpu_kill(monkeypatch, tmp_path):
	_runaway_worker(monkeypatch, tmp_path, "while True: pass")
	_assert_kill(check_pdf(pf.contract_pdf(CODE, 1), cpu_seconds=1), KILL_TIME, "cpu")


def test_last_resort_wall_clock_kill(monkeypatch, tmp_path):
	_runaway_worker(monkeypatch, tmp_path, "time.sleep(60)")
	_assert_kill(check_pdf(pf.contract_pdf(CODE, 1), timeout=1), KILL_TIME, "wall")


def test_last_resort_memory_kill(monkeypatch, tmp_path):
	_runaway_worker(monkeypatch, tmp_path, "return bytearray(4 << 30)")
	_assert_kill(check_pdf(pf.contract_pdf(CODE, 1), memory_mb=300), KILL_MEMORY, "memory")


def test_kill_reasons_are_distinct_from_budget_reasons():
	budget_reasons = set(bounds.Budget().messages.values())
	assert KILL_TIME != KILL_MEMORY and not {KILL_TIME, KILL_MEMORY} & budget_reasons
	assert not any("limite de segurança" in reason for reason in budget_reasons)
	assert all("limite de segurança" in reason for reason in (KILL_TIME, KILL_MEMORY))
