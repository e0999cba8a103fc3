"""``core.pdfcheck.identity`` and ``revocation_fetch`` units: who signed (e-CPF, e-CNPJ, gov.br), how names compare
and what the messages say; the revocation cache's expiry. Core tier, no frappe, no network."""

from __future__ import annotations

import datetime as dt

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization

from fiber_onboarding.core.pdfcheck import identity as I
from fiber_onboarding.core.pdfcheck import revocation_fetch as F
from fiber_onboarding.tests import br_pki

CPF = "52998224725"


@pytest.fixture(scope="module")
def pki():
	return br_pki.BrPki("http://127.0.0.1:9")  # nothing is fetched here


def ident(holder) -> dict:
	return I.identity_from_cert(
		asn1_x509.Certificate.load(holder.cert.public_bytes(serialization.Encoding.DER))
	)


def test_e_cpf_gov_br_and_e_cnpj_profiles(pki):
	e_cpf = ident(pki.e_cpf("JOSE DA SILVA", CPF))
	assert (e_cpf["name"], e_cpf["cpf"], e_cpf["cpf_source"], e_cpf["cnpj"]) == (
		"JOSE DA SILVA",
		CPF,
		"CN",
		None,
	)
	gov = ident(pki.gov_br("JOSÉ DA SILVA", CPF))
	assert (gov["name"], gov["cpf"], gov["cpf_source"]) == ("JOSÉ DA SILVA", CPF, "otherName 2.16.76.1.3.1")
	company = ident(pki.e_cnpj("FIBRA LTDA", "12ABC34501DE35", "JOSE DA SILVA", CPF))
	assert company["cnpj"] == "12ABC34501DE35" and company["company"] == "FIBRA LTDA"
	assert company["name"] == "JOSE DA SILVA" and company["cpf_source"] == "otherName 2.16.76.1.3.4"


def test_cpf_decides_and_cnpj_must_be_the_companys():
	holder = {"name": "JOSE", "cpf": CPF, "cnpj": "11222333000181"}
	assert I.match_signer(holder, "529.982.247-25", "Outro Nome", "11.222.333/0001-81") is True
	assert I.match_signer(holder, CPF, None, "45997418000153") is False
	assert (
		I.match_signer({"name": "JOSE", "cpf": CPF}, CPF, None, "45997418000153") is True
	)  # e-CPF: no company
	assert I.match_signer(holder, "111.444.777-35", None) is False
	assert I.match_signer(holder, None, "Jose") is None


@pytest.mark.parametrize(
	("certificate", "registration", "compatible"),
	[
		("MARIA DA CONCEICAO SOUZA", "Maria da Conceição Souza", True),
		("MARIA C SOUZA", "Maria da Conceição Souza", True),
		("MARIA SOUZA", "Maria da Conceição Souza", True),
		("MARIA CONCEICAO", "Maria da Conceição Souza", False),
		("JOAO SOUZA", "Maria da Conceição Souza", False),
		("", "Maria", False),
	],
)
def test_names_compare_tolerantly(certificate, registration, compatible):
	assert I.names_compatible(certificate, registration) is compatible
	assert (I.name_difference(certificate, registration) is None) is compatible


def test_name_difference_says_what_differs():
	text = I.name_difference("MARIA SOUZA SANTOS", "Maria da Conceição Souza")
	assert text == (
		'no certificado "MARIA SOUZA SANTOS", no cadastro "Maria da Conceição Souza"; só no certificado: SANTOS; '
		"só no cadastro: CONCEICAO"
	)
	assert "outra ordem" in I.name_difference("SOUZA MARIA", "Maria Souza")


def test_mismatch_reasons_name_both_sides():
	assert "o CPF do certificado é 111.444.777-35, o do responsável legal cadastrado é 529.982.247-25" in (
		I.mismatch_reason({"cpf": "11144477735"}, CPF, None)
	)
	assert "não traz um CPF legível" in I.mismatch_reason({"cpf": None}, CPF, None)
	text = I.mismatch_reason({"cpf": CPF, "cnpj": "45997418000153"}, CPF, "11222333000181")
	assert "CNPJ 45.997.418/0001-53, e o CNPJ cadastrado é 11.222.333/0001-81" in text


def test_memory_cache_expires_at_the_time_given():
	now = [dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)]
	cache = F.MemoryRevocationCache(now=lambda: now[0])
	cache.set("crl:x", b"\x30", now[0] + dt.timedelta(hours=2))
	assert cache.get("crl:x") == b"\x30"
	now[0] += dt.timedelta(hours=3)
	assert cache.get("crl:x") is None


def test_crl_cached_until_next_update_and_bad_answers_refused(pki):
	class Source(F.HttpRevocationSource):
		calls = 0

		def _get(self, request):
			Source.calls += 1
			return self.answer, None

	now = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
	source = Source(F.MemoryRevocationCache(now=lambda: now), now=lambda: now)
	source.answer = pki.icp_ac.crl()  # nextUpdate 2099
	assert source.crl("http://x/ac.crl") == (source.answer, None)
	assert source.crl("http://x/ac.crl") == (source.answer, None) and Source.calls == 1
	source.answer = b"<html>erro</html>"
	body, problem = source.crl("http://x/outra.crl")
	assert body is None and "não é uma LCR" in problem
	assert F.crl_next_update(pki.icp_ac.crl()) == br_pki.NEXT_UPDATE
