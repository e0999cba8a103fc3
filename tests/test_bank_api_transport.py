"""Bank API transport: mutual TLS, client certificate checks, credentials, registry, and no secret leaks."""

import logging
import traceback
from dataclasses import replace
from datetime import datetime, timezone

import pytest
import requests
from bank_simulator import BankSimulator, Reply, TestPKI, hang, malformed, rate_limited, server_error
from bank_simulator.scenario import BB, INTER, PAYER, registrar, title
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from fiber_onboarding.adapters.banks import make_registrar
from fiber_onboarding.adapters.banks.errors import (
	BankAuthError,
	BankCertificateError,
	BankConfigError,
	BankConnectionError,
)
from fiber_onboarding.adapters.banks.transport import Secret, retry_after_seconds
from fiber_onboarding.core import bankapi
from fiber_onboarding.core.bankapi import BankApiError


def test_simulator_refuses_a_client_without_certificate(sim, pki):
	with pytest.raises(requests.exceptions.RequestException):
		requests.post(
			sim.url + "/oauth/token",
			data={"grant_type": "client_credentials"},
			verify=str(pki.ca_path),
			timeout=10,
		)
	assert sim.handshake_failed.wait(10)
	assert sim.requests == []


@pytest.mark.parametrize("bank", ["bb", "inter"])
def test_certificate_of_an_unknown_ca_is_refused_by_the_bank(sim, pki, bank):
	with registrar(sim, bank, identity=pki.foreign_client()) as client:
		with pytest.raises(BankConnectionError) as err:
			client.test_connection()
	assert err.value.retryable and sim.requests == []
	assert sim.handshake_failed.wait(10)


def test_bank_server_not_trusted_is_refused(sim, pki, tmp_path):
	other = TestPKI(tmp_path / "other")  # trusts another CA: the simulator's server certificate is unknown
	with registrar(sim, "bb", ca_bundle=other.ca_path) as bb:
		with pytest.raises(BankConnectionError, match="TLS"):
			bb.test_connection()
	assert sim.requests == []


@pytest.mark.parametrize(
	"identity, message",
	[("expired_client", "venceu em"), ("future_client", "só é válido a partir de")],
)
def test_certificate_out_of_validity_is_refused_before_connecting(sim, pki, identity, message):
	issued = getattr(pki, identity)()
	with pytest.raises(BankCertificateError) as err:
		registrar(sim, "inter", identity=issued)
	assert message in str(err.value) and not err.value.retryable
	if identity == "expired_client":
		assert f"{issued.not_after:%d/%m/%Y}" in str(err.value) and "Nenhuma conexão foi feita" in str(
			err.value
		)
	assert sim.requests == [] and not sim.handshake_failed.is_set()


def test_certificate_that_expires_while_the_client_lives_is_refused_before_connecting(sim):
	with registrar(sim, "bb") as bb:
		bb.http.certificate_expires = datetime(2020, 1, 31, tzinfo=timezone.utc)
		with pytest.raises(BankCertificateError, match="venceu em 31/01/2020"):
			bb.register(title(BB, 3))
	assert sim.requests == []


def test_key_of_another_certificate_and_unreadable_material(sim, pki):
	creds = sim.credentials("bb", private_key=pki.expired_client().key_pem)
	with pytest.raises(BankCertificateError, match="não corresponde"):
		registrar(sim, "bb", credentials=creds)
	with pytest.raises(BankCertificateError, match="ilegível"):
		registrar(sim, "bb", credentials=sim.credentials("bb", certificate="-----BEGIN CERTIFICATE-----\nxx"))
	with pytest.raises(BankCertificateError, match="não encontrado"):
		registrar(sim, "bb", credentials=sim.credentials("bb", certificate="/nonexistent/empresa.crt"))
	assert sim.requests == []


def test_certificate_files_and_pkcs12_bundle_work(sim, pki):
	files = sim.credentials(
		"inter", certificate=str(pki.client.cert_path), private_key=str(pki.client.key_path)
	)
	with registrar(sim, "inter", credentials=files) as inter:
		assert "confirmada" in inter.test_connection()
	key = serialization.load_pem_private_key(pki.client.key_pem.encode(), None)
	cert = x509.load_pem_x509_certificate(pki.client.cert_pem.encode())
	pfx = pkcs12.serialize_key_and_certificates(
		b"empresa", key, cert, None, serialization.BestAvailableEncryption(b"senha-pfx")
	)
	bundle = sim.credentials("bb", certificate=pfx, private_key=None, certificate_password="senha-pfx")
	with registrar(sim, "bb", credentials=bundle) as bb:
		message = bb.test_connection()
	assert "Banco do Brasil (sandbox) confirmada" in message and "isp-client" in message
	with pytest.raises(BankCertificateError, match="senha"):
		registrar(sim, "bb", credentials={**bundle, "certificate_password": "errada"})


@pytest.mark.parametrize("bank", ["bb", "inter"])
def test_wrong_secret(sim, bank):
	creds = sim.credentials(bank, client_secret="segredo-errado-123")
	with registrar(sim, bank, credentials=creds) as client:
		with pytest.raises(BankAuthError) as err:
			client.register(title(BB if bank == "bb" else INTER, 1))
	assert not err.value.retryable and "client secret" in str(err.value)
	assert sim.count(bank, "register") == 0


def test_missing_settings_are_reported_in_portuguese(sim):
	with pytest.raises(BankConfigError, match="não configuradas"):
		make_registrar("001", {}, "sandbox")
	with pytest.raises(BankConfigError, match="Ambiente"):
		make_registrar("001", sim.credentials("bb"), "staging")
	with pytest.raises(BankConfigError, match="chave da aplicação"):
		registrar(sim, "bb", credentials=sim.credentials("bb", app_key=""))
	with pytest.raises(BankConfigError, match="banco 341"):
		make_registrar("341", sim.credentials("bb"), "sandbox")


def test_environment_defaults_point_at_the_documented_hosts(pki):
	creds = {
		"client_id": "id",
		"client_secret": "s",
		"certificate": pki.client.cert_pem,
		"private_key": pki.client.key_pem,
	}
	bb = make_registrar("001", {**creds, "app_key": "k"}, "Produção")
	assert (bb.token_url, bb.base_url, bb.app_key_param) == (
		"https://oauth.bb.com.br/oauth/token",
		"https://api.bb.com.br/cobrancas/v2",
		"gw-app-key",
	)
	assert make_registrar("001", {**creds, "app_key": "k"}, "sandbox").app_key_param == "gw-dev-app-key"
	inter = make_registrar("077", creds, "sandbox")
	assert inter.base_url == "https://cdpj-sandbox.partners.uatinter.co/cobranca/v3"
	assert (
		make_registrar("077", creds, "production").token_url
		== "https://cdpj.partners.bancointer.com.br/oauth/v2/token"
	)


def test_retry_after_forms():
	now = datetime(2015, 10, 21, 7, 27, 50, tzinfo=timezone.utc)
	assert retry_after_seconds("120") == 120
	assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=now) == 10
	assert retry_after_seconds("") is None and retry_after_seconds("soon") is None


def test_registry_registers_both_adapters_and_get_registrar_uses_them(sim):
	saved = bankapi.registered_adapters()
	try:
		from fiber_onboarding.adapters.banks import registry
		from fiber_onboarding.adapters.banks.bb import BancoDoBrasilRegistrar
		from fiber_onboarding.adapters.banks.inter import InterRegistrar

		registry.register()
		adapters = bankapi.registered_adapters()
		assert (adapters["001"], adapters["077"]) == (BancoDoBrasilRegistrar, InterRegistrar)
		with pytest.raises(BankApiError, match="convênio CONV-1"):  # as the Frappe side calls it today
			bankapi.get_registrar(BB, mode="api", agreement="CONV-1")
		settings = sim.settings("bb")
		client = bankapi.get_registrar(BB, mode="api", credentials=sim.credentials("bb"), **settings)
		with client:
			assert client.register(title(BB, 5)).status == "registered"
	finally:
		bankapi._ADAPTERS.clear()
		bankapi._ADAPTERS.update(saved)
	assert isinstance(bankapi.get_registrar(BB), bankapi.CnabRegistrar)


def test_no_secret_leaks_into_exceptions_logs_or_repr(sim, pki, caplog):
	caplog.set_level(logging.DEBUG)
	bb_creds, inter_creds = sim.credentials("bb"), sim.credentials("inter")
	secrets = [
		bb_creds["client_secret"],
		bb_creds["app_key"],
		inter_creds["client_secret"],
		pki.client.key_pem.splitlines()[1],
	]
	errors = []

	def collect(action):
		try:
			action()
		except BankApiError as exc:
			errors.append(exc)

	echo = Reply(
		401, {"error": "invalid_client", "error_description": f"secret {bb_creds['client_secret']} recusado"}
	)
	sim.fault("bb", "token", echo)
	with registrar(sim, "bb", timeout=0.5) as bb, registrar(sim, "inter", timeout=0.5) as inter:
		collect(bb.test_connection)
		for reply in (rate_limited("5"), server_error(500), malformed(), hang()):
			sim.fault("bb", "register", reply)
			collect(lambda: bb.register(title(BB, 7)))
		collect(
			lambda: bb.register(title(BB, 8, payer=replace(PAYER, name="", document="1", cep="0", uf="")))
		)
		sim.fault("inter", "list", Reply(401, {"title": "Não autorizado"}), times=2)
		collect(lambda: inter.register(title(INTER, 9)))
		collect(lambda: inter.register(title(INTER, 9, amount="1.00")))
		bb.register(title(BB, 10))
		objects = [bb, inter, bb.http, inter.http, vars(bb), vars(inter), vars(bb.http), vars(inter.http)]
		shown = " ".join(repr(o) for o in objects)
	collect(lambda: registrar(sim, "inter", identity=pki.expired_client()))
	collect(lambda: registrar(sim, "inter", identity=pki.foreign_client()).test_connection())
	kinds = {type(e).__name__ for e in errors}
	assert {"BankAuthError", "BankRateLimitError", "BankServerError", "BankResponseError"} <= kinds
	assert {"BankTimeoutError", "BankValidationError", "BankCertificateError", "BankConnectionError"} <= kinds
	assert any("***" in str(e) for e in errors)  # the echoed secret was masked, not dropped silently
	texts = [str(e) + repr(e) + "".join(traceback.format_exception(e)) for e in errors]
	texts += [shown, caplog.text, repr(Secret("abc"))]
	leaked = [s for s in secrets + sim.issued if any(s in text for text in texts)]
	assert sim.issued and leaked == []
