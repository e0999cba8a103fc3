"""CNPJ (numeric and alphanumeric), CPF, CEP, UF and e-mail validation in the core."""

import pytest
from stdnum.br import cnpj as stdnum_cnpj

from fiber_onboarding.core import documents as d

# the Receita Federal's official example of the alphanumeric CNPJ (IN RFB 2.229/2024)
ALNUM_CNPJ = "12ABC34501DE35"
NUMERIC_CNPJ = "11222333000181"
CPF = "52998224725"


@pytest.mark.parametrize(
	"raw",
	[
		"12.ABC.345/01DE-35",
		"12ABC34501DE35",
		"12.abc.345/01de-35",
		" 12abc34501de35 ",
		"12 ABC 345 01DE 35",
	],
)
def test_alphanumeric_cnpj_official_example_in_any_mask(raw):
	assert d.validate_cnpj(raw) == ALNUM_CNPJ
	assert d.format_cnpj(raw) == "12.ABC.345/01DE-35"
	assert d.is_valid_cnpj(raw)


@pytest.mark.parametrize("raw", ["11.222.333/0001-81", "11222333000181", "11222333/0001-81"])
def test_numeric_cnpj(raw):
	assert d.validate_cnpj(raw) == NUMERIC_CNPJ
	assert d.format_cnpj(raw) == "11.222.333/0001-81"


@pytest.mark.parametrize(
	("raw", "code"),
	[
		("", "cnpj_empty"),
		(None, "cnpj_empty"),
		("12ABC34501DE36", "cnpj_checksum"),
		("12ABC34501DE53", "cnpj_checksum"),
		("11222333000182", "cnpj_checksum"),
		("00000000000000", "cnpj_repeated"),
		("00.000.000/0000-00", "cnpj_repeated"),
		("AAAAAAAAAAAAAA", "cnpj_format"),
		("1122233300018", "cnpj_length"),
		("112223330001811", "cnpj_length"),
		("12ABC34501DEAB", "cnpj_format"),
		("12ABC34501D#35", "cnpj_format"),
	],
)
def test_invalid_cnpj(raw, code):
	with pytest.raises(d.DocumentError) as exc:
		d.validate_cnpj(raw)
	assert exc.value.code == code
	assert "CNPJ" in str(exc.value)
	assert not d.is_valid_cnpj(raw)


def test_every_single_character_change_of_the_official_example_is_rejected():
	alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	for i, ch in enumerate(ALNUM_CNPJ):
		for other in alphabet:
			if other == ch:
				continue
			mutated = ALNUM_CNPJ[:i] + other + ALNUM_CNPJ[i + 1 :]
			# stdnum is the reference; the mod-11 digits cannot see a swap between characters whose values
			# (ASCII - 48) differ by a multiple of 11 (e.g. "6" and "A"), every other change is caught
			assert d.is_valid_cnpj(mutated) == stdnum_cnpj.is_valid(mutated)
			if i >= 12 or (ord(other) - ord(ch)) % 11:
				assert not d.is_valid_cnpj(mutated), mutated


def test_format_cnpj_leaves_wrong_length_untouched():
	assert d.format_cnpj("123") == "123"
	assert d.format_cnpj(None) == ""


@pytest.mark.parametrize("raw", ["529.982.247-25", "52998224725", " 529 982 247 25 "])
def test_cpf(raw):
	assert d.validate_cpf(raw) == CPF
	assert d.format_cpf(raw) == "529.982.247-25"


@pytest.mark.parametrize(
	("raw", "code"),
	[
		("", "cpf_empty"),
		("52998224726", "cpf_checksum"),
		("00000000000", "cpf_repeated"),
		("111.111.111-11", "cpf_repeated"),
		("5299822472", "cpf_length"),
		("529982247255", "cpf_length"),
		("5299822472A", "cpf_format"),
	],
)
def test_invalid_cpf(raw, code):
	with pytest.raises(d.DocumentError) as exc:
		d.validate_cpf(raw)
	assert exc.value.code == code
	assert "CPF" in str(exc.value)


@pytest.mark.parametrize(
	("raw", "compact", "masked"),
	[
		("01310-100", "01310100", "01310-100"),
		("01310100", "01310100", "01310-100"),
		("01.310-100", "01310100", "01310-100"),
	],
)
def test_cep(raw, compact, masked):
	assert d.validate_cep(raw) == compact
	assert d.format_cep(raw) == masked


@pytest.mark.parametrize("raw", ["", "1310-100", "013101000", "ABCDE-FGH", "00000-000"])
def test_invalid_cep(raw):
	with pytest.raises(d.DocumentError) as exc:
		d.validate_cep(raw)
	assert "CEP" in str(exc.value)


def test_ufs():
	assert len(d.UFS) == 27
	assert "SP" in d.UFS and "DF" in d.UFS
	assert d.validate_uf(" sp ") == "SP"
	with pytest.raises(d.DocumentError):
		d.validate_uf("XX")


@pytest.mark.parametrize(
	("raw", "clean"),
	[
		("ana@Example.COM.br", "ana@example.com.br"),
		(" joao.silva+ti@empresa.com ", "joao.silva+ti@empresa.com"),
	],
)
def test_email(raw, clean):
	assert d.validate_email(raw) == clean


@pytest.mark.parametrize(
	"raw",
	[
		"",
		"ana",
		"ana@",
		"@empresa.com",
		"ana@empresa",
		"ana..b@empresa.com",
		"ana@-x.com",
	],
)
def test_invalid_email(raw):
	with pytest.raises(d.DocumentError):
		d.validate_email(raw)


def test_messages_are_portuguese():
	with pytest.raises(d.DocumentError) as exc:
		d.validate_cnpj("12ABC34501DE36")
	assert "dígitos verificadores" in exc.value.message
