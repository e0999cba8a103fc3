"""The portal registration form validated as plain data (core.registration): field by field, pt-BR messages."""

import pytest

from fiber_onboarding.core import registration as r

VALID = {
	"proposal_number": " prop-2026/0042 ",
	"company_name": "  Padaria   Pão Quente Ltda ",
	"cnpj": "12.abc.345/01de-35",
	"site_identifier": "padaria-centro",
	"cep": "01310-100",
	"address_line1": "Av. Paulista",
	"address_number": "1000",
	"address_line2": "Conj. 12",
	"neighborhood": "Bela Vista",
	"city": "São Paulo",
	"state": "sp",
	"legal_name": "Maria da Silva",
	"legal_cpf": "529.982.247-25",
	"legal_email": "Maria@Padaria.COM.br",
	"legal_phone": "(11) 91234-5678",
	"tech_name": "João Souza",
	"tech_email": "joao@padaria.com.br",
	"tech_phone": "11 3456-7890",
}


def form(**changes):
	data = dict(VALID)
	data.update(changes)
	return data


def test_valid_form_is_cleaned():
	values, errors = r.validate_form(VALID)
	assert errors == {}
	assert values["proposal_number"] == "PROP-2026/0042"
	assert values["company_name"] == "Padaria Pão Quente Ltda"
	assert values["cnpj"] == "12ABC34501DE35"
	assert values["cep"] == "01310100"
	assert values["state"] == "SP"
	assert values["legal_cpf"] == "52998224725"
	assert values["legal_email"] == "maria@padaria.com.br"
	assert values["legal_phone"] == "(11) 91234-5678"
	assert values["tech_phone"] == "(11) 3456-7890"
	assert values["site_identifier"] == "padaria-centro"


def test_numeric_cnpj_accepted():
	values, errors = r.validate_form(form(cnpj="11.222.333/0001-81"))
	assert errors == {}
	assert values["cnpj"] == "11222333000181"


def test_empty_form_names_every_required_field():
	values, errors = r.validate_form({})
	required = {f for f, (_label, req, _max) in r.FIELDS.items() if req}
	assert set(errors) == required
	assert errors["company_name"] == "Preencha o campo Razão social."
	assert "site_identifier" not in errors and "address_line2" not in errors
	assert values["site_identifier"] == ""


def test_site_is_only_an_identifier():
	# any text is accepted: it need not be an existing web site
	for site in ("loja 3 - fundos", "não tenho", "https://inexistente.invalid"):
		_values, errors = r.validate_form(form(site_identifier=site))
		assert errors == {}


@pytest.mark.parametrize(
	("field", "value", "message"),
	[
		(
			"cnpj",
			"11.222.333/0001-82",
			"CNPJ inválido: os dígitos verificadores não conferem.",
		),
		(
			"cnpj",
			"12ABC34501DE3X",
			"O CNPJ só pode conter letras e números, e os dois últimos caracteres devem ser dígitos.",
		),
		("cnpj", "1122233300018", "O CNPJ deve ter 14 caracteres."),
		(
			"legal_cpf",
			"529.982.247-24",
			"CPF inválido: os dígitos verificadores não conferem.",
		),
		("legal_cpf", "111.111.111-11", "CPF inválido: todos os dígitos são iguais."),
		("cep", "0131-100", "CEP inválido: informe 8 dígitos, por exemplo 01310-100."),
		("state", "XX", "UF inválida: informe a sigla do estado, por exemplo SP."),
		("legal_email", "maria@", "E-mail inválido: maria@."),
		("tech_email", "joao at padaria", "E-mail inválido: joao at padaria."),
		(
			"legal_phone",
			"91234-5678",
			"Telefone inválido: informe DDD e número, por exemplo (11) 91234-5678.",
		),
		("legal_phone", "(20) 91234-5678", "Telefone inválido: DDD 20 não existe."),
		(
			"tech_phone",
			"(11) 81234-5678x",
			"O telefone deve conter apenas números, por exemplo (11) 91234-5678.",
		),
		(
			"tech_phone",
			"(11) 81234-5678",
			"Celular inválido: depois do DDD, o número deve começar com 9.",
		),
		(
			"proposal_number",
			"PROP 1; DROP",
			"Número de proposta inválido: use apenas letras, números, pontos, barras e hífens.",
		),
	],
)
def test_field_messages(field, value, message):
	_values, errors = r.validate_form(form(**{field: value}))
	assert errors == {field: message}


def test_several_errors_reported_together():
	_values, errors = r.validate_form(form(cnpj="123", legal_cpf="", cep="abc", legal_email="x"))
	assert set(errors) == {"cnpj", "legal_cpf", "cep", "legal_email"}
	assert errors["legal_cpf"] == "Preencha o campo CPF do responsável legal."


def test_too_long_and_wrong_types():
	_values, errors = r.validate_form(form(company_name="A" * 141, city=["São Paulo"]))
	assert errors["company_name"] == "Razão social: no máximo 140 caracteres."
	assert errors["city"] == "Valor inválido."


def test_control_characters_and_unknown_keys_dropped():
	values, errors = r.validate_form(form(company_name="Padaria\x00 Ltda", is_admin="1", customer="X"))
	assert errors == {}
	assert values["company_name"] == "Padaria Ltda"
	assert "is_admin" not in values and "customer" not in values


@pytest.mark.parametrize(
	("raw", "digits"),
	[
		("(11) 91234-5678", "11912345678"),
		("+55 11 91234-5678", "11912345678"),
		("011 3456-7890", "1134567890"),
		("21 2345 6789", "2123456789"),
	],
)
def test_phone_normalisation(raw, digits):
	assert r.validate_phone(raw) == digits


def test_cnpj_matches_proposal():
	assert r.cnpj_matches("12ABC34501DE35", "12.abc.345/01de-35")
	assert r.cnpj_matches("12ABC34501DE35", None)
	assert not r.cnpj_matches("11222333000181", "12ABC34501DE35")


def test_generic_proposal_message_reveals_nothing():
	msg = r.GENERIC_PROPOSAL_MESSAGE
	for word in ("expir", "não existe", "não encontrad", "aprovad", "utilizad", "já"):
		assert word not in msg.lower()


def test_names():
	assert r.first_and_last_name("  Maria  da Silva ") == ("Maria", "da Silva")
	assert r.first_and_last_name("Maria") == ("Maria", "")


def test_markup_refused():
	_values, errors = r.validate_form(
		form(company_name="<b>Padaria</b>", site_identifier="<script>x</script>")
	)
	assert errors == {
		"company_name": "Razão social: não use os caracteres < e >.",
		"site_identifier": "Site (identificação): não use os caracteres < e >.",
	}
