"""CNAB readers: layout detection, tolerance, refusals, status vocabulary, damage and truncation of any kind."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fiber_onboarding.core.cnab import STATUSES, CnabError, detect, read_retorno
from fiber_onboarding.core.cnab240 import parse_retorno

DATA = Path(__file__).resolve().parent / "data" / "cnab"


def text_of(name: str) -> str:
	return (DATA / name).read_bytes().decode("ascii")


def error_of(data, expect=None) -> CnabError:
	with pytest.raises(CnabError) as exc:
		read_retorno(data, expect)
	return exc.value


@pytest.mark.parametrize(
	"data,where",
	[(b"", (1, 1)), (b"\r\n\r\n", (1, 1)), (b"HELLO WORLD\r\n", (1, 1)), ("0" * 240 + "\r\n", (1, 1))],
)
def test_not_a_cnab_file(data, where):
	err = error_of(data)
	assert (err.line, err.column) == where


def test_detect_layout_and_bank():
	assert detect((DATA / "sicoob/cnab400_retorno_entrada.ret").read_bytes()) == (400, "756")
	assert detect(text_of("caixa/cnab240_retorno_entrada.ret")) == (240, "104")
	santander = text_of("santander/cnab400_retorno_entrada.ret")
	assert detect(santander[:76] + "353" + santander[79:]) == (400, "033")  # former code in older headers


def test_anything_but_blanks_past_the_layout_size_is_refused():
	lines = text_of("bradesco/cnab400_retorno_baixa.ret")[:-2].split("\r\n")
	lines[1] += "   X"
	err = error_of("\r\n".join(lines))
	assert (err.line, err.column) == (2, 404)
	lines = text_of("itau/cnab240_retorno_baixa.ret")[:-2].split("\r\n")
	lines[2] = lines[2][:200]
	err = error_of("\r\n".join(lines))
	assert (err.line, err.column) == (3, 201)


def test_unknown_occurrence_code_is_other_with_the_code():
	lines = text_of("caixa/cnab400_retorno_baixa.ret")[:-2].split("\r\n")
	lines[1] = lines[1][:108] + "77" + lines[1][110:]
	item = read_retorno("\r\n".join(lines)).items[0]
	assert (item.occurrence_code, item.status, item.occurrence_text) == ("77", "other", "Ocorrência 77")


def test_statuses_and_the_former_vocabulary():
	retorno = read_retorno(text_of("bb/cnab240_retorno_baixa.ret"))
	assert [i.status for i in retorno.items] == ["written_off"] and set(STATUSES) >= {"written_off", "paid"}
	assert [i.status for i in parse_retorno(text_of("bb/cnab240_retorno_baixa.ret")).items] == ["cancelled"]
	assert retorno.items[0].reason == "Comandada pelo cliente via arquivo"


def test_amounts_are_never_zeroed_by_the_occurrence():
	"""A rejection that states an amount keeps it: the meaning goes in the status."""
	lines = text_of("itau/cnab400_retorno_rejeicao.ret")[:-2].split("\r\n")
	lines[1] = lines[1][:253] + "0000000012345" + lines[1][266:]
	item = read_retorno("\r\n".join(lines)).items[0]
	assert (item.status, str(item.amount_paid)) == ("rejected", "123.45")


_FILES = {
	"santander240": text_of("santander/cnab240_retorno_liquidacao.ret"),
	"bradesco400": text_of("bradesco/cnab400_retorno_liquidacao.ret"),
	"sicoob400": text_of("sicoob/cnab400_retorno_liquidacao.ret"),
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
	st.sampled_from(sorted(_FILES)), st.integers(min_value=0, max_value=10**6), st.characters(codec="latin-1")
)
def test_single_character_damage_never_crashes(which, where, char):
	text = _FILES[which]
	position = where % len(text)
	damaged = text[:position] + char + text[position + 1 :]
	try:
		result = read_retorno(damaged.encode("latin-1"))
	except CnabError as exc:
		assert exc.line >= 1 and exc.column >= 1 and exc.message
		return
	assert len(result.items) == 2  # damage in a free-text field or a tolerated change: still a whole parse


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(_FILES)), st.integers(min_value=0, max_value=10**6))
def test_any_truncation_is_refused(which, where):
	text = _FILES[which]
	cut = where % (len(text) - 2)  # dropping only the final CR LF is tolerated (no final line end)
	with pytest.raises(CnabError):
		read_retorno(text[:cut])


def test_reading_leaves_the_cycle_collector_as_it_was():
	import gc

	data = text_of("itau/cnab400_retorno_entrada.ret").encode("latin-1")
	assert gc.isenabled()
	read_retorno(data)
	assert gc.isenabled()
	with pytest.raises(CnabError):
		read_retorno(data[:-900])
	assert gc.isenabled()
	gc.disable()
	try:
		read_retorno(data)
		assert not gc.isenabled()
	finally:
		gc.enable()


def test_cnab400_key_slice_is_what_key_from_detail_returns():
	"""The reader cuts the key with the detail's other fields where a bank declares KEY; the method must agree."""
	from fiber_onboarding.core.cnab.banks import PROFILES_400

	line = "".join(chr(33 + i % 90) for i in range(400))
	declared = [code for code, cls in PROFILES_400.items() if cls.KEY]
	assert declared  # the fast path is in use
	for code in declared:
		profile = PROFILES_400[code](None)
		assert profile.key_from_detail(line) == line[slice(*profile.KEY)], code


def test_cnab400_document_span_is_what_detail_document_returns():
	"""The column-wise reading cuts the company document as a slice where DETAIL_DOCUMENT allows it."""
	from fiber_onboarding.core.cnab.banks import PROFILES_400
	from fiber_onboarding.core.cnab.layout400 import Profile400

	line = "".join(chr(33 + i % 90) for i in range(400))
	for code, cls in PROFILES_400.items():
		profile = cls(None)
		span = cls.DETAIL_DOCUMENT
		if span == "doc" and cls.detail_document is Profile400.detail_document:
			span = cls.DETAIL_FIELDS["doc"]
		if isinstance(span, tuple):
			assert profile.detail_document(line) == line[slice(*span)], code


def test_cnab400_column_wise_reading_is_the_record_by_record_reading():
	"""A file of header, details and trailer is read column by column; one with an extra record (here a copy of
	the trailer's type as an unknown record made known) goes record by record: both give the same items."""
	from fiber_onboarding.core.cnab import reader400
	from fiber_onboarding.core.cnab.banks import PROFILES_400

	names = sorted(DATA.glob("*/cnab400_retorno_*.ret"))
	assert names
	for path in names:
		lines = path.read_bytes().decode("latin-1").split("\r\n")
		while lines and not lines[-1]:
			lines.pop()
		fast = reader400.read_retorno(lines, PROFILES_400)
		original = reader400.sequences_ok
		reader400.sequences_ok = lambda lines: False  # the record-by-record loop (sequences still checked)
		try:
			slow = reader400.read_retorno(lines, PROFILES_400)
		finally:
			reader400.sequences_ok = original
		assert fast == slow, path


def _lines400(name: str) -> list[str]:
	return (DATA / name).read_bytes().decode("ascii").split("\r\n")


def test_cnab400_wrong_record_sequence_names_its_line_and_column():
	lines = _lines400("itau/cnab400_retorno_liquidacao.ret")
	assert len([line for line in lines if line]) >= 3
	lines[1] = lines[1][:394] + "000007"
	with pytest.raises(CnabError) as err:
		read_retorno("\r\n".join(lines).encode("ascii"))
	assert (err.value.line, err.value.column) == (2, 395)
	assert "esperado 2" in err.value.message


def test_cnab400_first_problem_in_file_order_when_a_later_sequence_is_wrong():
	"""The file-wide sequence check only skips the per-record one; a bad amount before a bad sequence is named."""
	lines = _lines400("itau/cnab400_retorno_liquidacao.ret")
	trailer = next(i for i, line in enumerate(lines) if line.startswith("9"))
	lines[trailer] = lines[trailer][:394] + "000099"
	lines[1] = lines[1][:152] + "00000000X0000" + lines[1][165:]
	with pytest.raises(CnabError) as err:
		read_retorno("\r\n".join(lines).encode("ascii"))
	assert (err.value.line, err.value.column) == (2, 161)  # amount 153-165, the X at its 9th digit


def test_cnab400_characters_beyond_latin1_keep_their_columns():
	"""The reader cuts numeric fields from the line encoded to one byte per character: a character Latin-1 lacks
	in a text field changes nothing, one in an amount is named at its own column."""
	lines = _lines400("itau/cnab400_retorno_liquidacao.ret")
	good = read_retorno("\r\n".join(lines).encode("ascii")).items[0]
	lines[1] = lines[1][:40] + "—" + lines[1][41:]  # em dash in the company's use field (27-51 in Itaú's)
	assert read_retorno("\r\n".join(lines).encode("utf-8")).items[0] == good
	lines[1] = lines[1][:155] + "€" + lines[1][156:]
	with pytest.raises(CnabError) as err:
		read_retorno("\r\n".join(lines).encode("utf-8"))
	assert (err.value.line, err.value.column) == (2, 156)
	assert "'€'" in err.value.message


def test_cnab240_characters_beyond_latin1_keep_their_columns():
	lines = (DATA / "itau/cnab240_retorno_liquidacao.ret").read_bytes().decode("ascii").split("\r\n")
	u = next(i for i, line in enumerate(lines) if line[7:8] == "3" and line[13:14] == "U")
	good = read_retorno("\r\n".join(lines).encode("ascii")).items[0]
	lines[u] = lines[u][:200] + "—" + lines[u][201:]  # a blank area of segment U
	assert read_retorno("\r\n".join(lines).encode("utf-8")).items[0] == good
	lines[u] = lines[u][:80] + "€" + lines[u][81:]  # valor pago, 78-92
	with pytest.raises(CnabError) as err:
		read_retorno("\r\n".join(lines).encode("utf-8"))
	assert (err.value.line, err.value.column) == (u + 1, 81)
	assert "'€'" in err.value.message


def test_fixed_width_split_is_the_same_as_searching_line_ends():
	"""``split`` cuts CR LF files of 240/400-character records without searching; any other file, or a CR/LF inside
	a record, takes the searching way: both give the same lines."""
	from fiber_onboarding.core.cnab.textfile import split

	def searched(text):
		lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
		while lines and lines[-1] in ("", "\x1a"):
			lines.pop()
		return lines

	for size in (240, 400):
		records = [str(i % 10) * size for i in range(5)]
		texts = ["\r\n".join(records) + "\r\n"]
		texts.append(texts[0][:50] + "\n" + texts[0][51:])  # an LF inside the first record
		texts.append(texts[0][: size + 2 + 7] + "\r" + texts[0][size + 2 + 8 :])  # a CR inside the second
		texts.append(texts[0][: size + 1] + texts[0][size + 2 :] + "\n")  # a CR where LF was, same length
		texts.append("\r\n".join(records))  # no final line end
		for text in texts:
			assert split(text) == searched(text)
		assert split(texts[0]) == records
