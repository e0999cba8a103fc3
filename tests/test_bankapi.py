"""Bank registration interface: adapter registry, API adapter contract, offline CNAB registrar."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from test_cnab240 import PAYER, retorno_from_remessa, split
from test_pix import dynamic, tlv

from fiber_onboarding.core import bankapi
from fiber_onboarding.core.bankapi import (
	BankApiError,
	BankRegistrar,
	CnabRegistrar,
	RegistrationRequest,
	RegistrationResult,
	get_registrar,
	register_adapter,
)
from fiber_onboarding.core.boleto import BankAccount, generate
from fiber_onboarding.core.cnab240 import RemessaItem, parse_retorno, retorno_key
from fiber_onboarding.core.pix import PixError

BB = BankAccount("001", "1234", "56789", wallet="17-019", agreement="1234567")
SANTANDER = BankAccount("033", "", "", wallet="101", beneficiary_code="0282033")


def request(account, seq, amount="1500.00"):
	item = RemessaItem(seq, f"SINV-{seq}", date(2026, 3, 10), Decimal(amount), date(2026, 3, 2), PAYER)
	return RegistrationRequest(account, item)


def bank_pix(txid="BOLETO123") -> str:
	"""A payload as a bank API would return it (built here only to feed the fake bank)."""
	return dynamic(url="pix.santander.com.br/qr/v2/cobv/9f8a", **{"62": tlv("05", txid)})


@pytest.fixture
def fake_santander_api():
	"""An online adapter as a bank module would define it: the 'bank' is a dict here."""
	saved = bankapi.registered_adapters()

	@register_adapter("033")
	class SantanderApi(BankRegistrar):
		def __init__(self, account, **config):
			super().__init__(account, **config)
			self.bank = config["bank"]

		def register(self, boleto):
			b = generate(
				self.account,
				boleto.item.nosso_numero,
				boleto.item.due_date,
				boleto.item.amount,
			)
			self.bank[b.nosso_numero] = "registered"
			return RegistrationResult(
				b.line,
				b.barcode,
				bank_pix(),
				"registered",
				"Registrado",
				b.nosso_numero,
			)

		def query(self, boleto):
			b = generate(
				self.account,
				boleto.item.nosso_numero,
				boleto.item.due_date,
				boleto.item.amount,
			)
			return RegistrationResult(b.line, b.barcode, "", self.bank.get(b.nosso_numero, "unknown"), "")

		def cancel(self, boleto):
			b = generate(
				self.account,
				boleto.item.nosso_numero,
				boleto.item.due_date,
				boleto.item.amount,
			)
			self.bank[b.nosso_numero] = "cancelled"
			return RegistrationResult(b.line, b.barcode, "", "cancelled", "Baixado")

	yield SantanderApi
	bankapi._ADAPTERS.clear()
	bankapi._ADAPTERS.update(saved)


def test_api_adapter_registered_and_used(fake_santander_api):
	bank = {}
	registrar = get_registrar(SANTANDER, bank=bank)
	assert isinstance(registrar, fake_santander_api) and fake_santander_api.bank_code == "033"
	result = registrar.register(request(SANTANDER, 566612457800, "1500.00"))
	assert result.status == "registered" and result.pix_payload.startswith("000201")
	assert registrar.query(request(SANTANDER, 566612457800)).status == "registered"
	assert registrar.cancel(request(SANTANDER, 566612457800)).status == "cancelled"
	assert registrar.query(request(SANTANDER, 566612457800)).status == "cancelled"


def test_registry_fallbacks(fake_santander_api):
	assert isinstance(get_registrar(BB), CnabRegistrar)
	with pytest.raises(BankApiError):
		get_registrar(BB, mode="api")
	with pytest.raises(BankApiError):
		get_registrar(SANTANDER, mode="cnab")  # no CNAB 240 layout for Santander here
	with pytest.raises(BankApiError):
		get_registrar(BankAccount("237", "1", "1"))
	with pytest.raises(ValueError):
		get_registrar(BB, mode="ftp")
	with pytest.raises(TypeError):
		register_adapter("001", dict)


def test_result_validates_status_and_pix():
	with pytest.raises(ValueError):
		RegistrationResult("", "", "", "done", "")
	with pytest.raises(PixError):
		RegistrationResult("", "", bank_pix()[:-4] + "0000", "registered", "")
	with pytest.raises(TypeError):
		BankRegistrar(BB)  # abstract


def test_cnab_registrar_full_cycle():
	registrar = get_registrar(BB, company_name="Fibra Rápida", company_cnpj="11222333000181")
	first = registrar.register(request(BB, 1))
	assert first.status == "pending" and first.pix_payload == ""
	assert first.barcode == generate(BB, 1, date(2026, 3, 10), Decimal("1500.00")).barcode
	assert first.bank_reference == retorno_key(BB, 1)
	registrar.register(request(BB, 2))
	with pytest.raises(BankApiError):
		registrar.register(request(BB, 2))
	dropped = registrar.register(request(BB, 3))
	assert registrar.cancel(request(BB, 3)).status == "cancelled"  # never sent: removed from the batch
	assert dropped.nosso_numero not in {i.nosso_numero for i in registrar.pending}
	text = registrar.build_file(5, datetime(2026, 3, 2, 10, 0))
	lines = split(text)
	assert len(lines) == 2 + 2 * 3 + 2 and registrar.pending == []
	assert registrar.query(request(BB, 1)).status == "pending"
	with pytest.raises(BankApiError):
		registrar.build_file(6, datetime(2026, 3, 2, 11, 0))

	retorno = parse_retorno(
		retorno_from_remessa(text, [{"code": "02"}, {"code": "03", "motives": "09"}], nsa=5)
	)
	registrar.apply_retorno(retorno)
	assert registrar.query(request(BB, 1)).status == "registered"
	rejected = registrar.query(request(BB, 2))
	assert rejected.status == "rejected" and "Nosso número duplicado" in rejected.message

	# a write-off after registration goes into the next remessa as movement 02
	assert registrar.cancel(request(BB, 1)).status == "pending"
	assert [i.movement for i in registrar.pending] == ["02"]
	second = split(registrar.build_file(6, datetime(2026, 3, 3, 10, 0)))
	assert second[2][15:17] == "02" and second[0][157:163] == "000006"


def test_cnab_registrar_rejects_foreign_retorno():
	registrar = CnabRegistrar(BankAccount("341", "0057", "12345", wallet="109"))
	bb = get_registrar(BB, company_name="X", company_cnpj="11222333000181")
	bb.register(request(BB, 1))
	retorno = parse_retorno(retorno_from_remessa(bb.build_file(1, datetime(2026, 3, 2)), [{"code": "02"}]))
	with pytest.raises(BankApiError):
		registrar.apply_retorno(retorno)


def test_cnab_registrar_invalid_boleto_data():
	registrar = get_registrar(BB, company_name="X", company_cnpj="11222333000181")
	with pytest.raises(BankApiError):
		registrar.register(request(BB, 10**10))
