"""Banco do Brasil — API Cobranças v2 (boleto registration with Pix, "BolePix").

Source: BB Developers portal, "API Cobranças" v2 (https://developers.bb.com.br, reference at
https://apoio.developers.bb.com.br/referency/post/5f4fb7f5b71fb5001268ca44); field names as used by public
integrations of that version (ACBr ``ACBrBoletoW_BancoBrasil_API`` / ``ACBrBoletoRet_BancoBrasil_API``).

- OAuth2 client credentials at ``/oauth/token`` with HTTP Basic (client id:secret), scope
  ``cobrancas.boletos-info cobrancas.boletos-requisicao``; every API call carries the application key in the
  query string (``gw-dev-app-key`` in sandbox/homologation, ``gw-app-key`` in production — a setting);
- ``POST /boletos`` registers (``numeroTituloCliente`` = "000" + 7-digit convênio + 10-digit sequence, dates
  ``dd.mm.aaaa``, ``indicadorPix`` "S") and answers ``numero``, ``linhaDigitavel``, ``codigoBarraNumerico``,
  ``qrCode{url, txId, emv}``;
- ``GET /boletos/{numero}?numeroConvenio=`` details (``codigoEstadoTituloCobranca``, ``codigoLinhaDigitavel``,
  ``textoCodigoBarrasTituloCobranca``, ``valorPagoSacado``, ``dataRecebimentoTitulo``);
  ``GET /boletos/{numero}/pix?numeroConvenio=`` the Pix of an open title;
- ``POST /boletos/{numero}/baixar`` with ``{"numeroConvenio"}`` writes the title off (baixa);
- errors: ``{"erros": [{codigo, versao, mensagem, ocorrencia}]}`` (registration), ``{"errors": [{code,
  message}]}`` (other resources), ``{"statusCode", "error", "message"}`` (gateway), OAuth ``error_description``.

BB numbers nothing for a type-4 agreement: the nosso número is ours, so a duplicate ("já incluído") is read back
with a query instead of being sent again.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from fiber_onboarding.core.bankapi import RegistrationRequest
from fiber_onboarding.core.boleto import BoletoError, generate
from fiber_onboarding.core.boleto.banks import bb_wallet
from fiber_onboarding.core.boleto.codes import barcode_from_line
from fiber_onboarding.core.pix import PixError

from .codes import describe_problems
from .errors import (
	BankConfigError,
	BankDuplicateError,
	BankResponseError,
	BankValidationError,
	FieldError,
)
from .registrar import (
	ApiRegistrar,
	ApiRegistrationResult,
	amount_or_none,
	date_or_none,
	money,
	only_digits,
	payer_document,
)
from .transport import Secret, read_json

__all__ = ["BB_STATES", "BancoDoBrasilRegistrar"]

# codigoEstadoTituloCobranca → (our status, BB's name)
BB_STATES = {
	1: ("registered", "Normal"),
	2: ("registered", "Movimento cartório"),
	3: ("registered", "Em cartório"),
	4: ("registered", "Com ocorrência de cartório"),
	5: ("registered", "Protestado eletrônico"),
	6: ("paid", "Liquidado"),
	7: ("cancelled", "Baixado"),
	8: ("registered", "Com pendência de cartório"),
	9: ("registered", "Protestado manual"),
	10: ("paid", "Baixado/pago em cartório"),
	11: ("paid", "Liquidado/protestado"),
	12: ("paid", "Liquidado em cartório"),
	13: ("registered", "Protestado aguardando baixa"),
	14: ("pending", "Em liquidação"),
	15: ("pending", "Agendado BB"),
	16: ("paid", "Creditado"),
	17: ("pending", "Pago em cheque, aguardando liquidação"),
	18: ("registered", "Pago parcialmente"),
	19: ("registered", "Pago parcialmente, creditado"),
	21: ("pending", "Agendado outros bancos"),
}
_DUPLICATE = re.compile(r"j[áa] (inclu[íi]d|existe|cadastrad|registrad)|duplicad", re.IGNORECASE)


def _bb_date(value: date) -> str:
	return f"{value:%d.%m.%Y}"


def field_errors(body) -> list[FieldError]:
	"""Every message of a BB error answer, whichever of its formats."""
	if not isinstance(body, dict):
		return []
	found = []
	for item in body.get("erros") or body.get("errors") or []:
		if isinstance(item, dict):
			message = item.get("mensagem") or item.get("message") or item.get("textoMensagem") or ""
			code = str(item.get("codigo") or item.get("code") or "")
			found.append(FieldError(str(item.get("ocorrencia") or ""), str(message), code))
	if not found and (body.get("message") or body.get("error_description")):
		found.append(FieldError("", str(body.get("message") or body.get("error_description"))))
	return found


class BancoDoBrasilRegistrar(ApiRegistrar):
	bank_name = "Banco do Brasil"
	SCOPE = "cobrancas.boletos-info cobrancas.boletos-requisicao"
	ENVIRONMENTS = {
		"sandbox": {
			"token": "https://oauth.sandbox.bb.com.br/oauth/token",
			"api": "https://api.sandbox.bb.com.br/cobrancas/v2",
			"app_key_param": "gw-dev-app-key",
		},
		"homologation": {
			"token": "https://oauth.hm.bb.com.br/oauth/token",
			"api": "https://api.hm.bb.com.br/cobrancas/v2",
			"app_key_param": "gw-dev-app-key",
		},
		"production": {
			"token": "https://oauth.bb.com.br/oauth/token",
			"api": "https://api.bb.com.br/cobrancas/v2",
			"app_key_param": "gw-app-key",
		},
	}

	def __init__(
		self,
		account,
		credentials=None,
		environment="sandbox",
		*,
		app_key_param: str | None = None,
		accept_overdue_days: int = 30,
		pix: bool = True,
		**kw,
	):
		super().__init__(account, credentials, environment, **kw)
		self._app_key = Secret(credentials.get("app_key") or credentials.get("developer_application_key"))
		if not self._app_key:
			raise BankConfigError(
				"Informe a chave da aplicação do BB (developer_application_key / gw-dev-app-key)."
			)
		self.app_key_param = app_key_param or self.ENVIRONMENTS[self.environment]["app_key_param"]
		self.accept_overdue_days = int(accept_overdue_days)
		self.pix = pix

	def extra_secrets(self, credentials):
		return (str(credentials.get("app_key") or credentials.get("developer_application_key") or ""),)

	def describe_error(self, response) -> str:
		try:
			body = response.json()
		except ValueError:
			return ""
		return "; ".join(str(f) for f in field_errors(body))

	def _params(self, account, **extra) -> dict:
		return {self.app_key_param: self._app_key.reveal(), **extra}

	# -- mapping ---------------------------------------------------------------------------------------------
	def _agreement(self, account) -> str:
		agreement = only_digits(account.agreement)
		if len(agreement) != 7:
			raise BankConfigError(
				"A API Cobranças do BB exige convênio de 7 dígitos (tipo 4, o cliente numera); "
				f"o convênio informado tem {len(agreement)}."
			)
		return agreement

	def _ours(self, boleto: RegistrationRequest):
		try:
			return generate(
				boleto.account, boleto.item.nosso_numero, boleto.item.due_date, boleto.item.amount
			)
		except BoletoError as exc:
			raise BankConfigError(exc.message)

	def title_id(self, boleto: RegistrationRequest) -> str:
		"""``numeroTituloCliente``: "000" + convênio (7) + sequence (10) — BB's id of the title."""
		self._agreement(boleto.account)
		return "000" + self._ours(boleto).nosso_numero

	def payload(self, boleto: RegistrationRequest) -> dict:
		"""The ``POST /boletos`` body for one title."""
		account, item = boleto.account, boleto.item
		wallet, variation = bb_wallet(account.wallet)
		document = payer_document(item.payer.document)
		body = {
			"numeroConvenio": int(self._agreement(account)),
			"numeroCarteira": int(only_digits(wallet) or 0),
			"numeroVariacaoCarteira": int(only_digits(variation) or 0),
			"codigoModalidade": 1,
			"dataEmissao": _bb_date(item.issue_date),
			"dataVencimento": _bb_date(item.due_date),
			"valorOriginal": money(item.amount),
			"valorAbatimento": 0,
			"quantidadeDiasProtesto": 0,
			"indicadorAceiteTituloVencido": "S" if self.accept_overdue_days > 0 else "N",
			"codigoAceite": "N",
			"codigoTipoTitulo": 4,
			"descricaoTipoTitulo": "DS",
			"indicadorPermissaoRecebimentoParcial": "N",
			"numeroTituloBeneficiario": str(item.document_number or "")[:15],
			"numeroTituloCliente": self.title_id(boleto),
			"pagador": {
				"tipoInscricao": 1 if len(document) == 11 else 2,
				"numeroInscricao": int(document) if document.isdigit() else document,
				"nome": item.payer.name,
				"endereco": item.payer.address,
				"cep": int(only_digits(item.payer.cep) or 0),
				"cidade": item.payer.city,
				"bairro": item.payer.neighborhood,
				"uf": item.payer.uf,
			},
			"indicadorPix": "S" if self.pix else "N",
		}
		if self.accept_overdue_days > 0:
			body["numeroDiasLimiteRecebimento"] = self.accept_overdue_days
		if item.monthly_interest_percent:
			body["jurosMora"] = {"tipo": 2, "porcentagem": money(item.monthly_interest_percent)}
		if item.fine_percent:
			fine_day = date.fromordinal(item.due_date.toordinal() + 1)
			body["multa"] = {"tipo": 2, "data": _bb_date(fine_day), "porcentagem": money(item.fine_percent)}
		return body

	# -- operations ------------------------------------------------------------------------------------------
	def _result(self, boleto, *, line, barcode, pix="", txid="", status, message, numero, **extra):
		problems = self.code_divergences(boleto, barcode, line)
		try:
			return ApiRegistrationResult(
				line=line,
				barcode=barcode,
				pix_payload=pix,
				status=status,
				message=message + describe_problems(list(problems)),
				nosso_numero=self._ours(boleto).nosso_numero,
				bank_reference=numero,
				pix_txid=txid,
				problems=problems,
				**extra,
			)
		except PixError as exc:
			raise BankResponseError(
				f"O Banco do Brasil devolveu um Pix inválido para o título {numero}: {exc.message}",
				bank=self.bank_name,
			)

	def register(self, boleto: RegistrationRequest) -> ApiRegistrationResult:
		numero = self.title_id(boleto)
		response = self.http.request(
			"POST",
			self.url("boletos"),
			"registrar o boleto",
			params=self._params(boleto.account),
			json=self.payload(boleto),
		)
		if response.status_code in (400, 409, 422):
			errors = field_errors(read_json(response, self.bank_name, "registrar o boleto"))
			if response.status_code == 409 or any(_DUPLICATE.search(e.message) for e in errors):
				found = self.query(boleto)
				if found.status == "unknown":
					raise BankDuplicateError(
						f"O BB informou que o título {numero} já existe, mas a consulta não o encontrou.",
						field_errors=errors,
						bank=self.bank_name,
						status=response.status_code,
					)
				return self._replace(
					found, read_back=True, message="Título já registrado no BB (lido de volta). "
				)
			raise BankValidationError(
				f"O Banco do Brasil recusou o registro do título {numero}:",
				field_errors=errors,
				bank=self.bank_name,
				status=response.status_code,
			)
		if response.status_code not in (200, 201):
			raise BankResponseError(
				f"Resposta inesperada do BB ao registrar (HTTP {response.status_code}).",
				bank=self.bank_name,
				status=response.status_code,
			)
		body = read_json(response, self.bank_name, "registrar o boleto")
		line = only_digits(body.get("linhaDigitavel")) if isinstance(body, dict) else ""
		barcode = only_digits(body.get("codigoBarraNumerico")) if isinstance(body, dict) else ""
		if len(line) != 47 or len(barcode) != 44:
			raise BankResponseError(
				"O BB confirmou o registro sem linha digitável/código de barras válidos; consulte o título "
				f"{numero} antes de imprimir.",
				bank=self.bank_name,
			)
		qr = body.get("qrCode") if isinstance(body.get("qrCode"), dict) else {}
		pix = str(qr.get("emv") or "")
		note = "" if pix or not self.pix else " Sem Pix: o BB não devolveu o QR Code."
		return self._result(
			boleto,
			line=line,
			barcode=barcode,
			pix=pix,
			txid=str(qr.get("txId") or ""),
			status="registered",
			message="Registrado no Banco do Brasil." + note,
			numero=str(body.get("numero") or numero),
			bank_status="1",
		)

	@staticmethod
	def _replace(result: ApiRegistrationResult, message: str = "", **changes) -> ApiRegistrationResult:
		return replace(result, message=message + result.message, **changes)

	def _pix(self, boleto, numero: str) -> tuple[str, str]:
		response = self.http.request(
			"GET",
			self.url(f"boletos/{numero}/pix"),
			"consultar o Pix do boleto",
			params=self._params(boleto.account, numeroConvenio=self._agreement(boleto.account)),
		)
		if response.status_code != 200:
			return "", ""
		body = read_json(response, self.bank_name, "consultar o Pix do boleto")
		qr = body.get("qrCode") if isinstance(body, dict) and isinstance(body.get("qrCode"), dict) else body
		if not isinstance(qr, dict):
			return "", ""
		return str(qr.get("emv") or ""), str(qr.get("txId") or "")

	def query(self, boleto: RegistrationRequest, bank_reference: str = "") -> ApiRegistrationResult:
		numero = bank_reference or self.title_id(boleto)
		agreement = self._agreement(boleto.account)
		response = self.http.request(
			"GET",
			self.url(f"boletos/{numero}"),
			"consultar o boleto",
			params=self._params(boleto.account, numeroConvenio=agreement),
		)
		if response.status_code == 404:
			ours = self._ours(boleto)
			return ApiRegistrationResult(
				ours.line,
				ours.barcode,
				"",
				"unknown",
				"O BB não tem registro deste título.",
				ours.nosso_numero,
				numero,
			)
		body = read_json(response, self.bank_name, "consultar o boleto")
		if response.status_code != 200:
			raise BankValidationError(
				f"O Banco do Brasil recusou a consulta do título {numero}:",
				field_errors=field_errors(body),
				bank=self.bank_name,
				status=response.status_code,
			)
		try:
			code = int(body["codigoEstadoTituloCobranca"])
		except (KeyError, TypeError, ValueError):
			raise BankResponseError(
				f"A consulta do BB ao título {numero} veio sem a situação (codigoEstadoTituloCobranca).",
				bank=self.bank_name,
			)
		status, name = BB_STATES.get(code, ("pending", f"Situação {code}"))
		line = only_digits(body.get("codigoLinhaDigitavel"))
		barcode = only_digits(body.get("textoCodigoBarrasTituloCobranca"))
		if not barcode and len(line) == 47:
			barcode = barcode_from_line(line)
		pix, txid = self._pix(boleto, numero) if status == "registered" and self.pix else ("", "")
		return self._result(
			boleto,
			line=line,
			barcode=barcode,
			pix=pix,
			txid=txid,
			status=status,
			message=f"Situação no Banco do Brasil: {name}.",
			numero=numero,
			bank_status=str(code),
			paid_amount=amount_or_none(body.get("valorPagoSacado")) if status == "paid" else None,
			paid_on=date_or_none(body.get("dataRecebimentoTitulo")) if status == "paid" else None,
		)

	def cancel(self, boleto: RegistrationRequest, bank_reference: str = "") -> ApiRegistrationResult:
		numero = bank_reference or self.title_id(boleto)
		agreement = self._agreement(boleto.account)
		response = self.http.request(
			"POST",
			self.url(f"boletos/{numero}/baixar"),
			"baixar o boleto",
			params=self._params(boleto.account),
			json={"numeroConvenio": int(agreement)},
		)
		if response.status_code == 200:
			body = read_json(response, self.bank_name, "baixar o boleto")
			when = body.get("dataBaixa", "") if isinstance(body, dict) else ""
			ours = self._ours(boleto)
			return ApiRegistrationResult(
				ours.line,
				ours.barcode,
				"",
				"cancelled",
				f"Baixa registrada no Banco do Brasil{' em ' + when if when else ''}.",
				ours.nosso_numero,
				numero,
				bank_status="7",
			)
		try:
			errors = field_errors(response.json())
		except ValueError:
			errors = []
		current = self.query(boleto, numero)
		if current.status in ("cancelled", "paid"):
			prefix = "O título já estava baixado. " if current.status == "cancelled" else "Baixa recusada: "
			return self._replace(current, message=prefix)
		raise BankValidationError(
			f"O Banco do Brasil recusou a baixa do título {numero}:",
			field_errors=errors,
			bank=self.bank_name,
			status=response.status_code,
		)
