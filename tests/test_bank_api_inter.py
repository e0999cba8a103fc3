"""Banco Inter API Cobrança v3 (BolePix) adapter against the local simulator (real TLS, client certificate)."""

from dataclasses import replace
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from bank_simulator import BankSimulator, Reply, TestPKI, hang, malformed, rate_limited
from bank_simulator.scenario import INTER, PAYER, FakeClock, registrar, title

from fiber_onboarding.adapters.banks.errors import (
	BankAuthError,
	BankConfigError,
	BankRateLimitError,
	BankResponseError,
	BankServerError,
	BankTimeoutError,
	BankValidationError,
)
from fiber_onboarding.core.boleto import decode, factor_for
from fiber_onboarding.core.pix import validate_emv


@pytest.fixture
def inter(sim):
	with registrar(sim, "inter") as client:
		yield client


def test_registration_returns_valid_codes_and_pix(sim, inter):
	result = inter.register(title(INTER, 42))
	assert result.status == "registered" and result.problems == ()
	codes = decode(result.line, today=date(2026, 3, 10))
	assert codes.barcode == result.barcode and codes.bank_code == "077"
	assert (codes.amount, codes.factor) == (Decimal("1500.00"), factor_for(date(2026, 3, 10)))
	pix = validate_emv(result.pix_payload)
	assert pix["dynamic"] and pix["url"].startswith("cdpj.partners.bancointer.com.br/")
	assert result.pix_txid and result.nosso_numero and result.bank_reference in sim.inter.charges
	body = next(r for r in sim.requests if r.method == "POST" and r.path == "/cobranca/v3/cobrancas").json()
	assert body == {
		"seuNumero": "42",
		"valorNominal": 1500.0,
		"dataVencimento": "2026-03-10",
		"numDiasAgenda": 30,
		"pagador": {
			"cpfCnpj": "11222333000181",
			"tipoPessoa": "JURIDICA",
			"nome": PAYER.name,
			"endereco": PAYER.address,
			"bairro": "Consolação",
			"cidade": "São Paulo",
			"uf": "SP",
			"cep": "01305000",
		},
		"formasRecebimento": ["BOLETO", "PIX"],
		"mensagem": {"linha1": "Documento SINV-42"},
	}


def test_token_request_and_account_header(sim):
	creds = sim.credentials("inter", account_number="0012345678")
	with registrar(sim, "inter", credentials=creds) as inter:
		inter.register(title(INTER, 43, fine_percent=Decimal("2"), monthly_interest_percent=Decimal("1")))
	token = next(r for r in sim.requests if r.path == "/oauth/v2/token")
	form = dict(pair.split("=", 1) for pair in token.body.decode().split("&"))
	assert form["grant_type"] == "client_credentials" and form["client_id"] == sim.inter.app["client_id"]
	assert form["scope"] == "boleto-cobranca.read+boleto-cobranca.write"
	api = [r for r in sim.requests if r.path.startswith("/cobranca/v3/")]
	assert api and all(r.headers.get("x-conta-corrente") == "12345678" for r in api)
	body = next(r for r in api if r.method == "POST").json()
	assert body["multa"] == {"codigo": "PERCENTUAL", "taxa": 2.0} and body["mora"] == {
		"codigo": "TAXAMENSAL",
		"taxa": 1.0,
	}


def test_charge_in_processing_is_pending_until_the_bank_issues_it(sim, inter):
	sim.inter.processing_reads = 1
	request = title(INTER, 44)
	first = inter.register(request)
	assert (first.status, first.barcode, first.pix_payload) == ("pending", "", "")
	assert first.bank_reference and "Em processamento" in first.message
	later = inter.query(request, bank_reference=first.bank_reference)
	assert later.status == "registered" and len(later.barcode) == 44 and later.pix_payload


def test_existing_charge_is_read_back_before_issuing_again(sim, inter):
	first = inter.register(title(INTER, 50))
	again = inter.register(title(INTER, 50))
	assert again.read_back and (again.bank_reference, again.barcode) == (first.bank_reference, first.barcode)
	assert "lida de volta" in again.message
	assert sim.count("inter", "register") == 1 and len(sim.inter.charges) == 1


def test_409_duplicate_is_read_back(sim):
	with registrar(sim, "inter") as first_client:
		first = first_client.register(title(INTER, 51))
	with registrar(sim, "inter", check_existing=False) as inter:
		again = inter.register(title(INTER, 51))
	assert again.read_back and again.bank_reference == first.bank_reference
	assert sim.count("inter", "register") == 2 and len(sim.inter.charges) == 1


def test_query_states(sim, inter):
	request = title(INTER, 60)
	codigo = inter.register(request).bank_reference
	assert inter.query(request).status == "registered"
	sim.inter.charges[codigo]["cobranca"]["situacao"] = "ATRASADO"
	assert inter.query(request).status == "registered"
	sim.inter.pay(
		codigo, origin="BOLETO", amount="1510.00", at=datetime(2026, 3, 9, 15, 0, tzinfo=timezone.utc)
	)
	paid = inter.query(request)
	assert (paid.status, paid.paid_amount, paid.bank_status) == ("paid", Decimal("1510.00"), "RECEBIDO")
	assert paid.paid_on == date(2026, 3, 9)
	sim.inter.charges[codigo]["cobranca"]["situacao"] = "EXPIRADO"
	assert inter.query(request).status == "cancelled"
	sim.inter.charges[codigo]["cobranca"]["situacao"] = "FALHA_EMISSAO"
	assert inter.query(request).status == "rejected"
	assert inter.query(title(INTER, 61)).status == "unknown"


def test_cancel(sim, inter):
	request = title(INTER, 70)
	inter.register(request)
	cancelled = inter.cancel(request)
	assert cancelled.status == "cancelled" and "Cancelamento pedido" in cancelled.message
	sent = next(r for r in sim.requests if r.path.endswith("/cancelar")).json()
	assert sent == {"motivoCancelamento": "APEDIDODOCLIENTE"}
	again = inter.cancel(request)
	assert again.status == "cancelled" and "já estava cancelada" in again.message
	assert inter.cancel(title(INTER, 71)).status == "unknown"


def test_validation_errors_list_the_violations(sim, inter):
	with pytest.raises(BankValidationError) as err:
		inter.register(title(INTER, 80, amount="1.00", payer=replace(PAYER, cep="")))
	fields = {f.field: f.message for f in err.value.field_errors}
	assert set(fields) == {"valorNominal", "pagador.cep"}
	assert "entre 2.5 e 99999999.99" in fields["valorNominal"] and "valorNominal" in str(err.value)
	assert not err.value.retryable


def test_seu_numero_too_long_is_refused_before_calling(sim, inter):
	with pytest.raises(BankConfigError, match="Seu número"):
		inter.register(title(INTER, "1234567890123456"))
	assert sim.requests == []


def test_single_token_refresh_on_401(sim):
	clock = FakeClock()
	with registrar(sim, "inter", clock=clock) as inter:
		request = title(INTER, 90)
		inter.register(request)
		assert sim.count("inter", "token") == 1
		sim.revoke_tokens()
		assert inter.query(request).status == "registered"
		assert sim.count("inter", "token") == 2
		refused = Reply(401, {"title": "Não autorizado", "detail": "Token inválido", "violacoes": []})
		sim.fault("inter", "list", refused, times=2)
		with pytest.raises(BankAuthError):
			inter.query(request)
		assert sim.count("inter", "token") == 3


def test_errors_429_5xx_timeout_malformed(sim):
	with registrar(sim, "inter", timeout=0.5) as inter:
		sim.fault("inter", "register", rate_limited("30"))
		with pytest.raises(BankRateLimitError) as err:
			inter.register(title(INTER, 100))
		assert err.value.retry_after == 30
		sim.fault("inter", "register", Reply(502, {"title": "Bad Gateway", "detail": "Falha interna"}))
		with pytest.raises(BankServerError, match="Falha interna"):
			inter.register(title(INTER, 100))
		sim.fault("inter", "register", hang())
		with pytest.raises(BankTimeoutError):
			inter.register(title(INTER, 100))
		sim.fault("inter", "register", malformed())
		with pytest.raises(BankResponseError, match="não é JSON"):
			inter.register(title(INTER, 100))
		sim.fault("inter", "query", Reply(200, {"boleto": {}}))
		with pytest.raises(BankResponseError, match="sem os dados da cobrança"):
			inter.register(title(INTER, 100))
		# none of the failures created a charge twice: the lookup finds the one the last attempt issued
		assert inter.register(title(INTER, 100)).read_back
	assert len(sim.inter.charges) == 1


def test_webhook_registration(sim, inter):
	assert inter.webhook() is None
	with pytest.raises(BankConfigError, match="https://"):
		inter.register_webhook("http://erp.example/hook")
	inter.register_webhook("https://erp.example/hook?token=abc")
	assert inter.webhook()["webhookUrl"] == "https://erp.example/hook?token=abc"
	inter.delete_webhook()
	assert inter.webhook() is None
