"""Banco Inter — API Cobrança v3 ("Cobrança BolePix": boleto + Pix with due date in one charge).

Source: Inter Developers, "API Cobrança (Boleto com Pix)" v3 (https://developers.inter.co/references/cobranca-bolepix,
token at https://developers.inter.co/references/token); paths and fields as used by the public SDKs of v3
(e.g. ``renatojdev/bancointer-python`` ``cobranca_v3``).

- OAuth2 client credentials at ``/oauth/v2/token`` (form fields ``client_id``, ``client_secret``, ``grant_type``,
  ``scope`` = ``boleto-cobranca.read boleto-cobranca.write``), mTLS with the integration's .crt/.key on every
  call; header ``x-conta-corrente`` when the integration serves more than one account;
- ``POST /cobranca/v3/cobrancas`` issues (``seuNumero`` ≤ 15, ``valorNominal`` ≥ 2.50, ``dataVencimento``
  ``AAAA-MM-DD``, ``numDiasAgenda`` 0 to 60, ``pagador``, ``multa``/``mora``, ``formasRecebimento``) and answers
  ``{"codigoSolicitacao"}``; the charge is issued asynchronously (``situacao`` EM_PROCESSAMENTO first);
- ``GET /cobranca/v3/cobrancas/{codigoSolicitacao}`` → ``{cobranca{situacao, …}, boleto{nossoNumero,
  codigoBarras, linhaDigitavel}, pix{txid, pixCopiaECola}}``; ``GET /cobranca/v3/cobrancas`` lists (period
  ``dataInicial``/``dataFinal`` + ``filtrarDataPor``, filter ``seuNumero``);
- ``POST /cobranca/v3/cobrancas/{codigoSolicitacao}/cancelar`` with ``{"motivoCancelamento"}`` (e.g.
  APEDIDODOCLIENTE, ACERTOS);
- ``PUT/GET/DELETE /cobranca/v3/cobrancas/webhook`` (``{"webhookUrl": "https://…"}``); callbacks are parsed by
  :mod:`.inter_webhook`;
- errors: problem JSON ``{"title", "detail", "timestamp", "violacoes": [{razao, propriedade, valor}]}``.

Inter assigns the nosso número; ours travels as ``seuNumero``. Inter refuses an identical charge for 30 minutes
only, so before issuing the registrar looks the ``seuNumero`` up (``check_existing``) and reads an existing
charge back; a 409 is read back the same way.
"""

from __future__ import annotations

import re
from dataclasses import replace

from fiber_onboarding.core.bankapi import RegistrationRequest
from fiber_onboarding.core.pix import PixError

from .codes import describe_problems
from .errors import BankConfigError, BankDuplicateError, BankResponseError, BankValidationError, FieldError
from .registrar import (
	ApiRegistrar,
	ApiRegistrationResult,
	amount_or_none,
	date_or_none,
	money,
	only_digits,
	payer_document,
)
from .transport import read_json

__all__ = ["INTER_STATES", "InterRegistrar"]

# cobranca.situacao → (our status, label)
INTER_STATES = {
	"A_RECEBER": ("registered", "A receber"),
	"ATRASADO": ("registered", "Atrasado"),
	"PROTESTO": ("registered", "Em protesto"),
	"RECEBIDO": ("paid", "Recebido"),
	"MARCADO_RECEBIDO": ("paid", "Marcado como recebido"),
	"CANCELADO": ("cancelled", "Cancelado"),
	"EXPIRADO": ("cancelled", "Expirado"),
	"EM_PROCESSAMENTO": ("pending", "Em processamento"),
	"FALHA_EMISSAO": ("rejected", "Falha na emissão"),
}
_DUPLICATE = re.compile(r"duplicad|j[áa] existe", re.IGNORECASE)
_INACTIVE = ("CANCELADO", "EXPIRADO", "FALHA_EMISSAO")


def violations(body) -> list[FieldError]:
	if not isinstance(body, dict):
		return []
	found = []
	for item in body.get("violacoes") or []:
		if isinstance(item, dict) and (item.get("razao") or item.get("propriedade")):
			value = f" (valor: {item['valor']})" if item.get("valor") not in (None, "") else ""
			found.append(FieldError(str(item.get("propriedade") or ""), str(item.get("razao") or "") + value))
	if not found and (body.get("detail") or body.get("title")):
		found.append(FieldError("", str(body.get("detail") or body.get("title"))))
	return found


class InterRegistrar(ApiRegistrar):
	bank_name = "Banco Inter"
	SCOPE = "boleto-cobranca.read boleto-cobranca.write"
	TOKEN_AUTH = "form"
	ENVIRONMENTS = {
		"sandbox": {
			"token": "https://cdpj-sandbox.partners.uatinter.co/oauth/v2/token",
			"api": "https://cdpj-sandbox.partners.uatinter.co/cobranca/v3",
		},
		"production": {
			"token": "https://cdpj.partners.bancointer.com.br/oauth/v2/token",
			"api": "https://cdpj.partners.bancointer.com.br/cobranca/v3",
		},
	}

	def __init__(
		self,
		account,
		credentials=None,
		environment="sandbox",
		*,
		days_to_cancel: int = 30,
		check_existing: bool = True,
		pix: bool = True,
		cancel_reason: str = "APEDIDODOCLIENTE",
		**kw,
	):
		super().__init__(account, credentials, environment, **kw)
		if not 0 <= int(days_to_cancel) <= 60:
			raise BankConfigError(
				"Dias para baixa automática no Inter (numDiasAgenda) devem ficar entre 0 e 60."
			)
		self.days_to_cancel = int(days_to_cancel)
		self.check_existing = check_existing
		self.pix = pix
		self.cancel_reason = cancel_reason
		number = only_digits(credentials.get("account_number"))
		self.account_number = number.lstrip("0")

	def describe_error(self, response) -> str:
		try:
			body = response.json()
		except ValueError:
			return ""
		return "; ".join(str(f) for f in violations(body))

	def _headers(self) -> dict:
		return {"x-conta-corrente": self.account_number} if self.account_number else {}

	def _call(self, method, path, what, **kw):
		return self.http.request(method, self.url(path), what, headers=self._headers(), **kw)

	# -- mapping ---------------------------------------------------------------------------------------------
	def seu_numero(self, boleto: RegistrationRequest) -> str:
		value = str(boleto.item.nosso_numero).strip()
		if not value or len(value) > 15 or not value.isalnum():
			raise BankConfigError(f"Seu número {value!r} inválido para o Inter (1 a 15 letras ou dígitos).")
		return value

	def payload(self, boleto: RegistrationRequest) -> dict:
		"""The ``POST /cobrancas`` body for one title."""
		item, payer = boleto.item, boleto.item.payer
		document = payer_document(payer.document)
		body = {
			"seuNumero": self.seu_numero(boleto),
			"valorNominal": money(item.amount),
			"dataVencimento": item.due_date.isoformat(),
			"numDiasAgenda": self.days_to_cancel,
			"pagador": {
				"cpfCnpj": document,
				"tipoPessoa": "FISICA" if len(document) == 11 else "JURIDICA",
				"nome": payer.name,
				"endereco": payer.address,
				"bairro": payer.neighborhood,
				"cidade": payer.city,
				"uf": payer.uf,
				"cep": only_digits(payer.cep),
			},
			"formasRecebimento": ["BOLETO", "PIX"] if self.pix else ["BOLETO"],
		}
		if item.document_number:
			body["mensagem"] = {"linha1": f"Documento {item.document_number}"[:78]}
		if item.fine_percent:
			body["multa"] = {"codigo": "PERCENTUAL", "taxa": float(item.fine_percent)}
		if item.monthly_interest_percent:
			body["mora"] = {"codigo": "TAXAMENSAL", "taxa": float(item.monthly_interest_percent)}
		return body

	def _from_detail(
		self, boleto, body, *, prefix: str = "", read_back: bool = False
	) -> ApiRegistrationResult:
		charge = body.get("cobranca") if isinstance(body, dict) else None
		if not isinstance(charge, dict) or not charge.get("situacao"):
			raise BankResponseError(
				"A consulta do Inter veio sem os dados da cobrança (situacao).", bank=self.bank_name
			)
		situacao = str(charge["situacao"])
		status, label = INTER_STATES.get(situacao, ("pending", situacao))
		codes = body.get("boleto") if isinstance(body.get("boleto"), dict) else {}
		pix = body.get("pix") if isinstance(body.get("pix"), dict) else {}
		line, barcode = only_digits(codes.get("linhaDigitavel")), only_digits(codes.get("codigoBarras"))
		message = f"Situação no Banco Inter: {label}."
		if status == "registered" and (len(line) != 47 or len(barcode) != 44):
			raise BankResponseError(
				f"O Inter informou a cobrança como {label} sem linha digitável/código de barras válidos.",
				bank=self.bank_name,
			)
		problems = self.code_divergences(boleto, barcode, line)
		if status == "registered" and self.pix and not pix.get("pixCopiaECola"):
			message += " Sem Pix: o Inter não devolveu o copia e cola."
		try:
			return ApiRegistrationResult(
				line=line,
				barcode=barcode,
				pix_payload=str(pix.get("pixCopiaECola") or ""),
				status=status,
				message=prefix + message + describe_problems(list(problems)),
				nosso_numero=str(codes.get("nossoNumero") or ""),
				bank_reference=str(charge.get("codigoSolicitacao") or ""),
				pix_txid=str(pix.get("txid") or ""),
				bank_status=situacao,
				paid_amount=amount_or_none(charge.get("valorTotalRecebido")) if status == "paid" else None,
				paid_on=date_or_none(charge.get("dataSituacao")) if status == "paid" else None,
				read_back=read_back,
				problems=problems,
			)
		except PixError as exc:
			raise BankResponseError(f"O Inter devolveu um Pix inválido: {exc.message}", bank=self.bank_name)

	# -- operations ------------------------------------------------------------------------------------------
	def detail(self, boleto, codigo: str, **kw) -> ApiRegistrationResult | None:
		response = self._call("GET", f"cobrancas/{codigo}", "consultar a cobrança")
		if response.status_code == 404:
			return None
		body = read_json(response, self.bank_name, "consultar a cobrança")
		if response.status_code != 200:
			raise BankValidationError(
				"O Banco Inter recusou a consulta da cobrança:",
				field_errors=violations(body),
				bank=self.bank_name,
				status=response.status_code,
			)
		if not isinstance(body, dict) or not isinstance(body.get("cobranca"), dict):
			raise BankResponseError("A consulta do Inter veio sem os dados da cobrança.", bank=self.bank_name)
		body["cobranca"].setdefault("codigoSolicitacao", codigo)
		return self._from_detail(boleto, body, **kw)

	def find(self, boleto: RegistrationRequest) -> str:
		"""``codigoSolicitacao`` of the charge issued with this seu número and due date ("" when none)."""
		due = boleto.item.due_date.isoformat()
		seu = self.seu_numero(boleto)
		params = {"dataInicial": due, "dataFinal": due, "filtrarDataPor": "VENCIMENTO", "seuNumero": seu}
		response = self._call("GET", "cobrancas", "procurar a cobrança pelo seu número", params=params)
		body = read_json(response, self.bank_name, "procurar a cobrança pelo seu número")
		if (
			response.status_code != 200
			or not isinstance(body, dict)
			or not isinstance(body.get("cobrancas"), list)
		):
			raise BankResponseError(
				f"A listagem de cobranças do Inter veio em formato inesperado (HTTP {response.status_code}).",
				bank=self.bank_name,
				status=response.status_code,
			)
		charges = [
			c["cobranca"]
			for c in body["cobrancas"]
			if isinstance(c, dict)
			and isinstance(c.get("cobranca"), dict)
			and c["cobranca"].get("seuNumero") == seu
		]
		charges.sort(key=lambda c: (c.get("situacao") not in _INACTIVE, str(c.get("dataEmissao") or "")))
		return str(charges[-1].get("codigoSolicitacao") or "") if charges else ""

	def register(self, boleto: RegistrationRequest) -> ApiRegistrationResult:
		read_back = "Cobrança já emitida no Inter (lida de volta). "
		if self.check_existing:
			codigo = self.find(boleto)
			if codigo:
				return self.detail(boleto, codigo, prefix=read_back, read_back=True) or self._unknown(boleto)
		response = self._call("POST", "cobrancas", "emitir a cobrança", json=self.payload(boleto))
		if response.status_code in (400, 409, 422):
			errors = violations(read_json(response, self.bank_name, "emitir a cobrança"))
			if response.status_code == 409 or any(_DUPLICATE.search(e.message) for e in errors):
				codigo = self.find(boleto)
				found = self.detail(boleto, codigo, prefix=read_back, read_back=True) if codigo else None
				if found is None:
					raise BankDuplicateError(
						"O Inter recusou a cobrança como duplicada, mas a consulta não a encontrou:",
						field_errors=errors,
						bank=self.bank_name,
						status=response.status_code,
					)
				return found
			raise BankValidationError(
				f"O Banco Inter recusou a cobrança de seu número {self.seu_numero(boleto)}:",
				field_errors=errors,
				bank=self.bank_name,
				status=response.status_code,
			)
		body = read_json(response, self.bank_name, "emitir a cobrança")
		codigo = body.get("codigoSolicitacao") if isinstance(body, dict) else None
		if response.status_code not in (200, 201) or not codigo:
			raise BankResponseError(
				"O Inter não devolveu o código da solicitação ao emitir; consulte pelo seu número antes de tentar "
				"de novo.",
				bank=self.bank_name,
				status=response.status_code,
			)
		found = self.detail(boleto, str(codigo))
		if found is None:  # accepted but not visible yet: the periodic query will read it
			return replace(self._unknown(boleto), status="pending", bank_reference=str(codigo))
		return found

	def _unknown(
		self, boleto, message: str = "O Banco Inter não tem esta cobrança."
	) -> ApiRegistrationResult:
		return ApiRegistrationResult("", "", "", "unknown", message, "", "")

	def query(self, boleto: RegistrationRequest, bank_reference: str = "") -> ApiRegistrationResult:
		codigo = bank_reference or self.find(boleto)
		return (self.detail(boleto, codigo) if codigo else None) or self._unknown(boleto)

	def cancel(self, boleto: RegistrationRequest, bank_reference: str = "") -> ApiRegistrationResult:
		codigo = bank_reference or self.find(boleto)
		if not codigo:
			return self._unknown(boleto, "O Banco Inter não tem esta cobrança; nada a cancelar.")
		response = self._call(
			"POST",
			f"cobrancas/{codigo}/cancelar",
			"cancelar a cobrança",
			json={"motivoCancelamento": self.cancel_reason},
		)
		current = self.detail(boleto, codigo) or self._unknown(boleto)
		if response.status_code in (200, 202, 204):
			return replace(current, message="Cancelamento pedido ao Banco Inter. " + current.message)
		if current.status in ("cancelled", "paid"):
			prefix = (
				"A cobrança já estava cancelada. "
				if current.status == "cancelled"
				else "Cancelamento recusado: "
			)
			return replace(current, message=prefix + current.message)
		try:
			errors = violations(response.json())
		except ValueError:
			errors = []
		raise BankValidationError(
			"O Banco Inter recusou o cancelamento da cobrança:",
			field_errors=errors,
			bank=self.bank_name,
			status=response.status_code,
		)

	# -- webhook ---------------------------------------------------------------------------------------------
	def register_webhook(self, url: str) -> str:
		"""Register (or replace) the account's charge webhook; the URL must be HTTPS."""
		if not str(url or "").startswith("https://"):
			raise BankConfigError("A URL do webhook do Inter deve começar com https://.")
		response = self._call("PUT", "cobrancas/webhook", "cadastrar o webhook", json={"webhookUrl": url})
		if response.status_code not in (200, 201, 204):
			raise BankValidationError(
				"O Banco Inter recusou o webhook:",
				field_errors=violations(read_json(response, self.bank_name, "cadastrar o webhook")),
				bank=self.bank_name,
				status=response.status_code,
			)
		return "Webhook de cobranças cadastrado no Banco Inter."

	def webhook(self) -> dict | None:
		"""The registered webhook (``webhookUrl``, ``criacao``, ``atualizacao``) or None."""
		response = self._call("GET", "cobrancas/webhook", "consultar o webhook")
		if response.status_code == 404:
			return None
		body = read_json(response, self.bank_name, "consultar o webhook")
		if response.status_code != 200 or not isinstance(body, dict):
			raise BankResponseError(
				"Resposta inesperada do Inter ao consultar o webhook.", bank=self.bank_name
			)
		return body

	def delete_webhook(self) -> None:
		response = self._call("DELETE", "cobrancas/webhook", "excluir o webhook")
		if response.status_code not in (200, 204, 404):
			raise BankResponseError("Resposta inesperada do Inter ao excluir o webhook.", bank=self.bank_name)
