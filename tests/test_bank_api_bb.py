"""Banco do Brasil API Cobranças v2 adapter against the local simulator (real TLS, client certificate required)."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from bank_simulator import BankSimulator, Reply, TestPKI, hang, malformed, rate_limited, server_error
from bank_simulator.scenario import BB, PAYER, FakeClock, registrar, title

from fiber_onboarding.adapters.banks.errors import (
	BankAuthError,
	BankConfigError,
	BankRateLimitError,
	BankResponseError,
	BankServerError,
	BankTimeoutError,
	BankValidationError,
)
from fiber_onboarding.core.boleto import generate
from fiber_onboarding.core.pix import validate_emv


@pytest.fixture
def bb(sim):
	with registrar(sim, "bb") as client:
		yield client


def test_registration_returns_the_banks_codes_equal_to_ours_and_a_valid_pix(sim, bb):
	result = bb.register(title(BB, 42))
	ours = generate(BB, 42, date(2026, 3, 10), Decimal("1500.00"))
	assert (result.status, result.barcode, result.line) == ("registered", ours.barcode, ours.line)
	assert result.problems == () and "divergência" not in result.message
	assert result.bank_reference == "00012345670000000042" and result.nosso_numero == ours.nosso_numero
	pix = validate_emv(result.pix_payload)
	assert pix["dynamic"] and pix["url"].startswith("qrcodepix.bb.com.br/") and result.pix_txid
	sent = next(r for r in sim.requests if r.path == "/cobrancas/v2/boletos")
	assert sent.query["gw-dev-app-key"] == sim.bb.app["app_key"]
	body = sent.json()
	assert body["numeroTituloCliente"] == "00012345670000000042"
	assert (body["numeroConvenio"], body["numeroCarteira"], body["numeroVariacaoCarteira"]) == (
		1234567,
		17,
		19,
	)
	assert (body["dataEmissao"], body["dataVencimento"], body["valorOriginal"]) == (
		"02.03.2026",
		"10.03.2026",
		1500.0,
	)
	assert body["pagador"] == {
		"tipoInscricao": 2,
		"numeroInscricao": 11222333000181,
		"nome": PAYER.name,
		"endereco": PAYER.address,
		"cep": 1305000,
		"cidade": "São Paulo",
		"bairro": "Consolação",
		"uf": "SP",
	}
	assert body["indicadorPix"] == "S" and body["codigoTipoTitulo"] == 4


def test_fine_and_interest_are_sent(sim, bb):
	bb.register(title(BB, 43, fine_percent=Decimal("2.00"), monthly_interest_percent=Decimal("1.00")))
	body = next(r for r in sim.requests if r.path == "/cobrancas/v2/boletos").json()
	assert body["multa"] == {"tipo": 2, "data": "11.03.2026", "porcentagem": 2.0}
	assert body["jurosMora"] == {"tipo": 2, "porcentagem": 1.0}


def test_codes_that_differ_from_ours_are_reported(sim, bb):
	sim.bb.carteira_override = 18  # the bank registered under another wallet
	result = bb.register(title(BB, 44))
	assert (
		result.status == "registered"
		and result.barcode != generate(BB, 44, date(2026, 3, 10), "1500.00").barcode
	)
	assert result.problems and "Atenção, divergência nos códigos" in result.message
	assert "difere do nosso" in result.message


def test_duplicate_is_read_back_not_sent_again(sim, bb):
	first = bb.register(title(BB, 50))
	again = bb.register(title(BB, 50))
	assert again.read_back and again.status == "registered"
	assert (again.barcode, again.pix_payload) == (first.barcode, first.pix_payload)
	assert "já registrado" in again.message
	assert sim.count("bb", "register") == 2 and len(sim.bb.titles) == 1


def test_query_states(sim, bb):
	request = title(BB, 60)
	numero = bb.register(request).bank_reference
	assert bb.query(request).status == "registered"
	sim.bb.set_state(numero, 3)
	in_notary = bb.query(request)
	assert (in_notary.status, in_notary.bank_status) == (
		"registered",
		"3",
	) and "cartório" in in_notary.message
	sim.bb.pay(numero, amount="1500.00", on=date(2026, 3, 9))
	paid = bb.query(request)
	assert (paid.status, paid.paid_amount, paid.paid_on) == ("paid", Decimal("1500.00"), date(2026, 3, 9))
	assert bb.query(title(BB, 61)).status == "unknown"


def test_cancel_and_cancel_again(sim, bb):
	request = title(BB, 70)
	bb.register(request)
	cancelled = bb.cancel(request)
	assert cancelled.status == "cancelled" and "Baixa registrada" in cancelled.message
	assert bb.query(request).status == "cancelled"
	again = bb.cancel(request)  # BB refuses a second baixa: the state is read back
	assert again.status == "cancelled" and "já estava baixado" in again.message


def test_cancel_of_a_paid_title_reports_paid(sim, bb):
	request = title(BB, 71)
	sim.bb.pay(bb.register(request).bank_reference)
	result = bb.cancel(request)
	assert result.status == "paid" and "Baixa recusada" in result.message


def test_validation_errors_list_the_banks_messages(sim, bb):
	bad_payer = replace(PAYER, cep="123", uf="Sao Paulo")
	with pytest.raises(BankValidationError) as err:
		bb.register(title(BB, 80, payer=bad_payer))
	assert not err.value.retryable and err.value.status == 400
	messages = [f.message for f in err.value.field_errors]
	assert messages == ["CEP do pagador inválido", "UF do pagador inválida"]
	assert "CEP do pagador inválido" in str(err.value) and "UF do pagador inválida" in str(err.value)


def test_agreement_must_have_seven_digits(sim, bb):
	with pytest.raises(BankConfigError, match="7 dígitos"):
		bb.register(title(replace(BB, agreement="123456"), 1))
	assert sim.count("bb", "register") == 0


def test_token_cached_until_expiry_and_renewed_once_on_401(sim):
	clock = FakeClock()
	with registrar(sim, "bb", clock=clock) as bb:
		request = title(BB, 90)
		bb.register(request)
		bb.query(request)
		assert sim.count("bb", "token") == 1
		clock.advance(sim.token_ttl)  # expired by our clock: a new token before the call
		bb.query(request)
		assert sim.count("bb", "token") == 2
		sim.revoke_tokens()  # the bank invalidates it early: 401, one renewal, success
		assert bb.query(request).status == "registered"
		assert sim.count("bb", "token") == 3
		refused = Reply(401, {"statusCode": 401, "error": "Unauthorized", "message": "Token inválido"})
		sim.fault("bb", "query", refused, times=2)
		with pytest.raises(BankAuthError, match="mesmo após renová-lo"):
			bb.query(request)
		assert sim.count("bb", "token") == 4  # exactly one renewal, no loop


def test_rate_limit_exposes_retry_after(sim, bb):
	sim.fault("bb", "register", rate_limited("7"))
	with pytest.raises(BankRateLimitError) as err:
		bb.register(title(BB, 100))
	assert err.value.retry_after == 7 and err.value.retryable and "em 7 s" in str(err.value)
	sim.fault("bb", "register", rate_limited(None))
	with pytest.raises(BankRateLimitError) as err:
		bb.register(title(BB, 100))
	assert err.value.retry_after is None and "alguns instantes" in str(err.value)


def test_server_error(sim, bb):
	sim.fault("bb", "register", server_error(503))
	with pytest.raises(BankServerError) as err:
		bb.register(title(BB, 110))
	assert err.value.status == 503 and err.value.retryable
	assert "HTTP 503" in str(err.value) and "Serviço indisponível" in str(err.value)


def test_timeout_is_short_and_says_the_outcome_is_unknown(sim):
	with registrar(sim, "bb", timeout=0.5) as bb:
		sim.fault("bb", "register", hang())
		with pytest.raises(BankTimeoutError) as err:
			bb.register(title(BB, 120))
	assert err.value.retryable and "0.5 s" in str(err.value) and "consulte-o" in str(err.value)


@pytest.mark.parametrize(
	"reply, expected",
	[
		(malformed(), "não é JSON"),
		(Reply(200, {"numero": "00012345670000000130"}), "sem linha digitável"),
		(
			Reply(200, {"numero": "1", "linhaDigitavel": "1" * 47, "codigoBarraNumerico": "2" * 44}),
			"inválidos",
		),
	],
)
def test_malformed_answers(sim, bb, reply, expected):
	sim.fault("bb", "register", reply)
	with pytest.raises(BankResponseError, match=expected):
		bb.register(title(BB, 130))


def test_invalid_pix_from_the_bank_is_refused(sim, bb):
	request = title(BB, 140)
	ours = generate(BB, 140, date(2026, 3, 10), "1500.00")
	broken = {
		"numero": "00012345670000000140",
		"linhaDigitavel": ours.line,
		"codigoBarraNumerico": ours.barcode,
		"qrCode": {"url": "x", "txId": "T1", "emv": "000201010212BROKEN"},
	}
	sim.fault("bb", "register", Reply(200, broken))
	with pytest.raises(BankResponseError, match="Pix inválido"):
		bb.register(request)
