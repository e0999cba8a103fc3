"""Issue #18: signatures under PKIs shaped like ICP-Brasil and gov.br (``br_pki``), revocation fetched from the
certificates' own URLs on a local server (CRL and OCSP on 127.0.0.1, started and stopped here), the signer's CPF
and CNPJ, and precise pt-BR reasons for every case that needs a person.

Verdicts go through ``api._check_in_process`` (the worker's checks without the child process) and, once, the
real ``check_pdf`` (child process; the parent fetches). Dates are fixed in the PKI: nothing depends on today.
"""

from __future__ import annotations

import pdf_factory as pf
import pytest

from fiber_onboarding.core.pdfcheck import ACCEPT, REJECT, REVIEW, TrustRoot, check_pdf
from fiber_onboarding.core.pdfcheck.api import _check_in_process
from fiber_onboarding.core.pdfcheck.revocation_fetch import HttpRevocationSource, MemoryRevocationCache
from fiber_onboarding.tests import br_pki

CODE = "CTR-2026-00077"
CPF = "52998224725"
OTHER_CPF = "11144477735"
NAME = "Maria da Conceição Souza"
CNPJ = "11222333000181"
ALNUM_CNPJ = "12ABC34501DE35"


@pytest.fixture(scope="module")
def server():
	with br_pki.RevocationServer() as running:
		running.pki = br_pki.BrPki(running.base_url)
		yield running


@pytest.fixture(scope="module")
def pki(server):
	return server.pki


@pytest.fixture(scope="module")
def contract():
	return pf.contract_pdf(CODE, 2)


def roots(pki):
	import hashlib

	return [
		TrustRoot(
			"ICP-Brasil teste", "icp-brasil", pki.icp_root.pem, hashlib.sha256(pki.icp_root.der).hexdigest()
		),
		TrustRoot("gov.br teste", "gov.br", pki.gov_root.pem, hashlib.sha256(pki.gov_root.der).hexdigest()),
	]


def check(data, pki, *, source="http", **overrides):
	kw = {
		"contract_code": CODE,
		"expected_pages": 2,
		"trust_roots": roots(pki),
		"expected_signer_cpf": CPF,
		"expected_signer_name": NAME,
		"expected_signer_cnpj": CNPJ,
		"revocation": HttpRevocationSource(timeout=10) if source == "http" else source,
	}
	kw.update(overrides)
	return _check_in_process(data, **kw)


def outcome(verdict, name):
	return next(c["outcome"] for c in verdict.checks if c["check"] == name)


def detail(verdict, name):
	return next(c["detail"] for c in verdict.checks if c["check"] == name)


def test_e_cpf_of_the_legal_responsible_is_accepted_with_ocsp(pki, server, contract):
	holder = pki.e_cpf("MARIA DA CONCEICAO SOUZA", CPF)
	before = server.hits.get("/ocsp/icp-ac", 0)
	verdict = check(br_pki.sign(contract, holder), pki)
	assert verdict.decision == ACCEPT, verdict.checks
	assert verdict.signer["cpf"] == CPF and verdict.signer["cpf_source"] == "CN"
	assert verdict.signer["category"] == "qualificada"
	assert "consultados on-line" in detail(verdict, "revocation")
	assert server.hits["/ocsp/icp-ac"] > before  # the signer's status came from the AC's OCSP responder


def test_gov_br_signature_is_accepted_with_crl_and_cpf_from_other_name(pki, server, contract):
	holder = pki.gov_br("MARIA DA CONCEICAO SOUZA", CPF)
	verdict = check(br_pki.sign(contract, holder), pki)
	assert verdict.decision == ACCEPT, verdict.checks
	assert verdict.signer["cpf_source"] == "otherName 2.16.76.1.3.1"
	assert verdict.signer["category"] == "avançada"
	assert server.hits.get("/lcr/gov-final.crl") and server.hits.get("/lcr/gov-mid.crl")


def test_gov_br_signature_with_only_the_signers_certificate_needs_the_chain_helpers(pki, contract):
	"""A real gov.br signature embeds only the signer's certificate: the AC Final and AC Intermediaria come from
	``extra_certs`` (path helpers, never anchors: the chain still ends at the pinned root)."""
	holder = pki.gov_br("MARIA DA CONCEICAO SOUZA", CPF)
	data = br_pki.sign(contract, holder, chain=False)
	alone = check(data, pki)
	assert alone.decision == REVIEW and "não encadeia" in detail(alone, "trust")
	helpers = [pki.gov_final.der, pki.gov_mid.der]
	verdict = check(data, pki, extra_certs=helpers)
	assert verdict.decision == ACCEPT, verdict.checks
	# helpers are not anchors: without the gov.br root pinned, the same chain is untrusted
	unpinned = check(data, pki, extra_certs=helpers, trust_roots=roots(pki)[:1])
	assert unpinned.decision == REVIEW


def test_subprocess_check_fetches_in_the_parent(pki, contract):
	holder = pki.e_cpf("MARIA DA CONCEICAO SOUZA", CPF)
	verdict = check_pdf(
		br_pki.sign(contract, holder),
		contract_code=CODE,
		expected_pages=2,
		trust_roots=roots(pki),
		expected_signer_cpf=CPF,
		revocation=HttpRevocationSource(timeout=10),
	)
	assert verdict.decision == ACCEPT, verdict.checks


def test_intermediate_crl_is_cached_across_uploads(pki, server, contract):
	cache = MemoryRevocationCache()
	source = HttpRevocationSource(cache, timeout=10)
	first, second = (pki.gov_br("MARIA DA CONCEICAO SOUZA", CPF) for _ in range(2))
	path = "/lcr/gov-mid.crl"
	assert check(br_pki.sign(contract, first), pki, source=source).decision == ACCEPT
	hits = server.hits[path]
	assert check(br_pki.sign(contract, second), pki, source=source).decision == ACCEPT
	assert server.hits[path] == hits  # the intermediate's CRL came from the cache (kept until its nextUpdate)


def test_e_cnpj_of_the_company_is_accepted_and_another_company_is_reviewed(pki, contract):
	ours = pki.e_cnpj("FIBRA CLIENTE LTDA", CNPJ, "MARIA DA CONCEICAO SOUZA", CPF)
	verdict = check(br_pki.sign(contract, ours), pki)
	assert verdict.decision == ACCEPT, verdict.checks
	assert verdict.signer["cnpj"] == CNPJ and verdict.signer["cpf_source"] == "otherName 2.16.76.1.3.4"
	other = pki.e_cnpj("OUTRA EMPRESA LTDA", "45997418000153", "MARIA DA CONCEICAO SOUZA", CPF)
	verdict = check(br_pki.sign(contract, other), pki)
	assert verdict.decision == REVIEW
	assert (
		"o certificado é da empresa de CNPJ 45.997.418/0001-53, e o CNPJ cadastrado é 11.222.333/0001-81"
		in (detail(verdict, "signer"))
	)


def test_alphanumeric_cnpj_e_cnpj(pki, contract):
	holder = pki.e_cnpj("EMPRESA NOVA LTDA", ALNUM_CNPJ, "MARIA DA CONCEICAO SOUZA", CPF)
	verdict = check(br_pki.sign(contract, holder), pki, expected_signer_cnpj="12.ABC.345/01DE-35")
	assert verdict.decision == ACCEPT, verdict.checks
	assert verdict.signer["cnpj"] == ALNUM_CNPJ


def test_wrong_cpf_is_reviewed_saying_which_cpfs(pki, contract):
	holder = pki.e_cpf("MARIA DA CONCEICAO SOUZA", OTHER_CPF)
	verdict = check(br_pki.sign(contract, holder), pki)
	assert verdict.decision == REVIEW
	text = detail(verdict, "signer")
	assert "o CPF do certificado é 111.444.777-35, o do responsável legal cadastrado é 529.982.247-25" in text


def test_same_cpf_with_name_written_differently_is_accepted_and_reported(pki, contract):
	holder = pki.e_cpf("MARIA C SOUZA", CPF)
	verdict = check(br_pki.sign(contract, holder), pki, expected_signer_name="Maria da Conceição Souza")
	assert verdict.decision == ACCEPT and "difere" not in detail(verdict, "signer")  # an initial is fine
	holder = pki.e_cpf("MARIA SOUZA SANTOS", CPF)
	verdict = check(br_pki.sign(contract, holder), pki)
	assert verdict.decision == ACCEPT, verdict.checks
	text = detail(verdict, "signer")
	assert 'no certificado "MARIA SOUZA SANTOS", no cadastro "Maria da Conceição Souza"' in text
	assert "só no certificado: SANTOS; só no cadastro: CONCEICAO" in text, text


def test_expired_certificate_is_reviewed(pki, contract):
	holder = pki.e_cpf("MARIA DA CONCEICAO SOUZA", CPF, expired=True)
	verdict = check(br_pki.sign(contract, holder), pki)
	assert verdict.decision == REVIEW
	assert "fora do prazo de validade (válido até 2021-01-01)" in detail(verdict, "trust")


def test_revoked_by_crl_is_reviewed(pki, contract):
	holder = pki.gov_br("MARIA DA CONCEICAO SOUZA", CPF)
	pki.revoke(holder)
	verdict = check(br_pki.sign(contract, holder), pki)
	assert verdict.decision == REVIEW
	assert "revogado em 01/06/2020" in detail(verdict, "revocation"), verdict.checks
	assert "revogado" in detail(verdict, "trust")


def test_revoked_by_ocsp_is_reviewed(pki, contract):
	holder = pki.e_cpf("MARIA DA CONCEICAO SOUZA", CPF)
	pki.revoke(holder)
	verdict = check(br_pki.sign(contract, holder), pki)
	assert verdict.decision == REVIEW
	assert "foi revogado em 01/06/2020" in detail(verdict, "revocation")
	assert "key_compromise" in detail(verdict, "revocation")


def test_unreachable_revocation_service_means_review_never_silent_accept(pki, server, contract):
	holder = pki.e_cpf("MARIA DA CONCEICAO SOUZA", CPF)
	data = br_pki.sign(contract, holder)
	server.down = True
	try:
		verdict = check(data, pki)
	finally:
		server.down = False
	assert verdict.decision == REVIEW
	text = detail(verdict, "revocation")
	assert "não foi possível verificar se o certificado foi revogado" in text and "HTTP 503" in text
	offline = check(data, pki, source=None)  # no fetching at all, nothing embedded
	assert offline.decision == REVIEW and "consulta on-line não foi feita" in detail(offline, "revocation")


def test_embedded_revocation_data_is_enough_offline(pki, contract):
	holder = pki.e_cpf("MARIA DA CONCEICAO SOUZA", CPF)
	data = pf.add_dss(br_pki.sign(contract, holder), crls=[pki.icp_root.crl(), pki.icp_ac.crl()])
	verdict = check(data, pki, source=None)
	assert verdict.decision == ACCEPT, verdict.checks
	assert "embutidos no PDF" in detail(verdict, "revocation")


def test_unknown_root_is_reviewed(server, contract):
	stranger = br_pki.BrPki(server.base_url, label="Desconhecida")  # same profile, a root nobody configured
	holder = stranger.e_cpf("MARIA DA CONCEICAO SOUZA", CPF)
	verdict = check(br_pki.sign(contract, holder), server.pki)
	assert verdict.decision == REVIEW
	assert "não encadeia a nenhuma raiz configurada (emissor: Common Name: AC Desconhecida" in detail(
		verdict, "trust"
	)
	# an impostor CA with the configured root's very name, but another key: the chain does not validate
	impostor = br_pki.BrPki(server.base_url)
	verdict = check(br_pki.sign(contract, impostor.e_cpf("MARIA DA CONCEICAO SOUZA", CPF)), server.pki)
	assert verdict.decision == REVIEW
	assert "a cadeia de certificação até a raiz ICP-Brasil teste é inválida" in detail(verdict, "trust")


def test_signature_not_covering_the_whole_file_is_rejected(pki, contract):
	signed = br_pki.sign(contract, pki.e_cpf("MARIA DA CONCEICAO SOUZA", CPF))
	page = pf.page_ref(signed)
	changed = pf.append_update(
		signed, {page: pf.object_text(signed, page).replace("/Type", "/Rotate 90 /Type")}
	)
	verdict = check(changed, pki)
	assert verdict.decision == REJECT
	assert "documento modificado depois da assinatura" in detail(verdict, "signatures")


def test_two_signatures_the_responsible_one_decides(pki, contract):
	witness = pki.gov_br("JOAO TESTEMUNHA", OTHER_CPF)
	responsible = pki.e_cpf("MARIA DA CONCEICAO SOUZA", CPF)
	both = br_pki.sign(br_pki.sign(contract, witness, field_name="Testemunha"), responsible)
	verdict = check(both, pki)
	assert verdict.decision == ACCEPT, verdict.checks
	assert verdict.signer["signature"] == 2 and verdict.signer["cpf"] == CPF
	only_witness = br_pki.sign(contract, witness, field_name="Testemunha")
	verdict = check(only_witness, pki)
	assert verdict.decision == REVIEW and "outra pessoa assinou" in detail(verdict, "signer")


def _stamper(pki, issuer):
	"""A time-stamping authority certificate issued by ``issuer`` (None: self-signed, trusted by nobody)."""
	from asn1crypto import keys
	from asn1crypto import x509 as asn1_x509
	from cryptography.hazmat.primitives import serialization
	from cryptography.x509 import ExtendedKeyUsage
	from cryptography.x509.oid import ExtendedKeyUsageOID
	from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

	key = br_pki._key()
	usage = br_pki._usage(nonrep=False, encipher=False)
	cert = pki._issue(
		br_pki._name("AC Carimbo do Tempo de Teste"),
		key,
		issuer,
		ca=False,
		extra=[(usage, True), (ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True)],
	)
	pki.issued[cert.serial_number] = cert
	pkcs8 = key.private_bytes(
		serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
	)
	return DummyTimeStamper(
		tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
		tsa_key=keys.PrivateKeyInfo.load(pkcs8),
		certs_to_embed=[asn1_x509.Certificate.load(ca.der) for ca in ([issuer] if issuer else [])],
	)


def test_signature_timestamp_is_validated(pki, contract):
	"""An ICP-Brasil time stamp on the signature is validated against the same roots; one from an unknown
	authority keeps the upload for review."""
	holder = pki.e_cpf("MARIA DA CONCEICAO SOUZA", CPF)
	verdict = check(br_pki.sign(contract, holder, timestamper=_stamper(pki, pki.icp_ac)), pki)
	assert verdict.decision == ACCEPT, verdict.checks
	assert "Carimbo do tempo da assinatura válido (Common Name: AC Carimbo do Tempo" in detail(
		verdict, "trust"
	)
	verdict = check(br_pki.sign(contract, holder, timestamper=_stamper(pki, None)), pki)
	assert verdict.decision == REVIEW, verdict.checks
	assert "Carimbo do tempo da assinatura não confiável" in detail(verdict, "trust")


def test_validation_time_can_be_given(pki, contract):
	"""The expired certificate (2020-2021) validates when the check is made at a moment inside its validity."""
	holder = pki.e_cpf("MARIA DA CONCEICAO SOUZA", CPF, expired=True)
	verdict = check(br_pki.sign(contract, holder), pki, validation_time="2020-12-01T12:00:00+00:00")
	assert verdict.decision == ACCEPT, verdict.checks


def test_cli_online_revocation(tmp_path, pki, contract):
	"""``--online-revocation`` makes the CLI fetch CRL/OCSP; without it the same file waits for review."""
	import json
	import os
	import subprocess
	import sys
	from pathlib import Path

	pdf = tmp_path / "contrato.pdf"
	pdf.write_bytes(br_pki.sign(contract, pki.e_cpf("MARIA DA CONCEICAO SOUZA", CPF)))
	root = tmp_path / "raiz.pem"
	root.write_bytes(pki.icp_root.pem)
	args = [str(pdf), "--icp-root", str(root), "--contract-code", CODE, "--pages", "2", "--signer-cpf", CPF]

	def cli(*extra):
		proc = subprocess.run(
			[sys.executable, "-m", "fiber_onboarding.core.pdfcheck", *args, *extra],
			capture_output=True,
			cwd=Path(__file__).resolve().parents[1] / "apps" / "fiber_onboarding",
			timeout=120,
			env=dict(os.environ, PYTHONWARNINGS="ignore"),
		)
		return proc.returncode, json.loads(proc.stdout)

	code, out = cli("--online-revocation")
	assert code == 0 and out["decision"] == "accept", out["checks"]
	code, out = cli()
	assert code == 1 and out["decision"] == "review"
	assert "consulta on-line não foi feita" in next(
		c["detail"] for c in out["checks"] if c["check"] == "revocation"
	)
