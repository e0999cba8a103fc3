"""Banco do Brasil, API Cobranças v2, as the simulator answers it.

Resources: ``POST /cobrancas/v2/boletos``, ``GET /cobrancas/v2/boletos/{id}?numeroConvenio=``,
``GET /cobrancas/v2/boletos/{id}/pix?numeroConvenio=``, ``POST /cobrancas/v2/boletos/{id}/baixar``; every call
needs the app key (``gw-dev-app-key`` or ``gw-app-key``). Errors use BB's formats: ``{"erros": [{codigo,
versao, mensagem, ocorrencia}]}`` on registration, ``{"errors": [{code, message}]}`` elsewhere,
``{"statusCode", "error", "message"}`` from the gateway. Error codes and texts are illustrative.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime
from decimal import Decimal

from . import febraban
from .server import Recorded, Reply

_DATE = re.compile(r"\d{2}\.\d{2}\.\d{4}")


def _date(text) -> date | None:
	if not isinstance(text, str) or not _DATE.fullmatch(text):
		return None
	try:
		return datetime.strptime(text, "%d.%m.%Y").date()
	except ValueError:
		return None


def _erros(status: int, *items: tuple[str, str, str]) -> Reply:
	return Reply(
		status,
		{"erros": [{"codigo": c, "versao": "1", "mensagem": m, "ocorrencia": o} for c, m, o in items]},
	)


def _errors(status: int, code: str, message: str) -> Reply:
	return Reply(status, {"errors": [{"code": code, "message": message}]})


class BBBank:
	def __init__(self, sim):
		self.sim = sim
		self.app = {
			"client_id": "eyJpZCI6ImJiLWNsaWVudCJ9",
			"client_secret": "bb-secret-" + secrets.token_hex(12),
			"app_key": "bbappkey" + secrets.token_hex(8),
			"scopes": {"cobrancas.boletos-info", "cobrancas.boletos-requisicao"},
		}
		self.agreements = {"1234567"}
		self.titles: dict[str, dict] = {}
		self.carteira_override: int | None = None  # register with another wallet (codes differ from ours)

	# -- gateway ---------------------------------------------------------------------------------------------
	def invalid_client(self) -> Reply:
		return Reply(
			401, {"error": "invalid_client", "error_description": "Falha na autenticação do cliente"}
		)

	def invalid_token(self) -> Reply:
		return Reply(
			401, {"statusCode": 401, "error": "Unauthorized", "message": "Token inválido ou expirado"}
		)

	def check_request(self, request: Recorded) -> Reply | None:
		key = request.query.get("gw-dev-app-key") or request.query.get("gw-app-key")
		if key != self.app["app_key"]:
			return Reply(
				401, {"statusCode": 401, "error": "Unauthorized", "message": "Chave de aplicação inválida"}
			)
		return None

	# -- resources -------------------------------------------------------------------------------------------
	def _validate(self, body) -> list[tuple[str, str, str]]:
		if not isinstance(body, dict):
			return [("4678000", "Corpo da requisição inválido", "body")]
		problems = []
		convenio = str(body.get("numeroConvenio", ""))
		if convenio not in self.agreements:
			problems.append(("4678401", "Convênio não encontrado para o cliente", "numeroConvenio"))
		numero = str(body.get("numeroTituloCliente", ""))
		if not (len(numero) == 20 and numero.isdigit() and numero.startswith("000" + convenio)):
			problems.append(("4678402", "Número do título do cliente inválido", "numeroTituloCliente"))
		issued, due = _date(body.get("dataEmissao")), _date(body.get("dataVencimento"))
		if issued is None or due is None:
			problems.append(("4678403", "Data inválida (formato dd.mm.aaaa)", "dataVencimento"))
		elif due < issued:
			problems.append(("4678404", "Data de vencimento anterior à data de emissão", "dataVencimento"))
		value = body.get("valorOriginal")
		if not isinstance(value, int | float) or value <= 0:
			problems.append(("4678405", "Valor original deve ser maior que zero", "valorOriginal"))
		payer = body.get("pagador") if isinstance(body.get("pagador"), dict) else {}
		document = str(payer.get("numeroInscricao", ""))
		kind = payer.get("tipoInscricao")
		if kind not in (1, 2) or len(document) > (11 if kind == 1 else 14) or not document:
			problems.append(("4678406", "CPF/CNPJ do pagador inválido", "pagador.numeroInscricao"))
		if not str(payer.get("nome") or "").strip():
			problems.append(("4678407", "Nome do pagador obrigatório", "pagador.nome"))
		if not (isinstance(payer.get("cep"), int) and 1_000_000 <= payer["cep"] <= 99_999_999):
			problems.append(("4678408", "CEP do pagador inválido", "pagador.cep"))
		if not re.fullmatch(r"[A-Z]{2}", str(payer.get("uf") or "")):
			problems.append(("4678409", "UF do pagador inválida", "pagador.uf"))
		return problems

	def register(self, request: Recorded, _id=None) -> Reply:
		try:
			body = request.json()
		except ValueError:
			body = None
		problems = self._validate(body)
		if problems:
			return _erros(400, *problems)
		numero = body["numeroTituloCliente"]
		if numero in self.titles:
			return _erros(400, ("4874915", "Nosso número já incluído anteriormente", "numeroTituloCliente"))
		due = _date(body["dataVencimento"])
		code = febraban.barcode(
			"001",
			due,
			Decimal(str(body["valorOriginal"])),
			febraban.bb_free_field(numero, self.carteira_override or int(body["numeroCarteira"])),
		)
		pix = url = txid = ""
		if body.get("indicadorPix") == "S":
			url = f"qrcodepix.bb.com.br/pix/v2/cobv/{secrets.token_hex(16)}"
			txid = "BB" + secrets.token_hex(15).upper()
			pix = febraban.pix_payload(url, "FIBRA RAPIDA LTDA", "SAO PAULO")
		self.titles[numero] = {
			"request": body,
			"state": 1,
			"barcode": code,
			"line": febraban.line(code),
			"qrCode": {"url": url, "txId": txid, "emv": pix},
			"paid": None,
		}
		return Reply(
			200,
			{
				"numero": numero,
				"numeroCarteira": body["numeroCarteira"],
				"numeroVariacaoCarteira": body.get("numeroVariacaoCarteira"),
				"codigoCliente": 704950857,
				"linhaDigitavel": febraban.line(code),
				"codigoBarraNumerico": code,
				"numeroContratoCobranca": 19581316,
				"beneficiario": {"agencia": 452, "contaCorrente": 123873, "tipoEndereco": 1},
				"qrCode": {"url": url, "txId": txid, "emv": pix},
				"observacao": "",
			},
		)

	def _title(self, request: Recorded, numero: str):
		title = self.titles.get(numero)
		if title is None:
			return None, _errors(404, "4874916", "Boleto não encontrado")
		if request.method == "GET" and request.query.get("numeroConvenio") != str(
			title["request"]["numeroConvenio"]
		):
			return None, _errors(400, "4874917", "Número do convênio não informado ou divergente")
		return title, None

	def query(self, request: Recorded, numero: str) -> Reply:
		title, refused = self._title(request, numero)
		if refused:
			return refused
		body = title["request"]
		detail = {
			"codigoLinhaDigitavel": title["line"],
			"textoCodigoBarrasTituloCobranca": title["barcode"],
			"codigoEstadoTituloCobranca": title["state"],
			"dataRegistroTituloCobranca": body["dataEmissao"],
			"dataVencimentoTituloCobranca": body["dataVencimento"],
			"valorOriginalTituloCobranca": body["valorOriginal"],
			"valorAtualTituloCobranca": body["valorOriginal"],
			"numeroTituloCedenteCobranca": body.get("numeroTituloBeneficiario", ""),
			"nomeSacadoCobranca": body["pagador"]["nome"],
		}
		if title["paid"]:
			detail.update(valorPagoSacado=title["paid"][0], dataRecebimentoTitulo=title["paid"][1])
		return Reply(200, detail)

	def pix(self, request: Recorded, numero: str) -> Reply:
		title, refused = self._title(request, numero)
		if refused:
			return refused
		if not title["qrCode"]["emv"]:
			return _errors(404, "4874918", "Boleto sem Pix vinculado")
		return Reply(
			200,
			{
				"id": numero,
				"valorOriginalTituloCobranca": title["request"]["valorOriginal"],
				"qrCode": title["qrCode"],
			},
		)

	def cancel(self, request: Recorded, numero: str) -> Reply:
		title, refused = self._title(request, numero)
		if refused:
			return refused
		if request.json().get("numeroConvenio") != title["request"]["numeroConvenio"]:
			return _errors(400, "4874917", "Número do convênio não informado ou divergente")
		if title["state"] != 1:
			return _errors(400, "4874920", "Título não está em ser: baixa não permitida")
		title["state"] = 7
		return Reply(
			200,
			{
				"numeroContratoCobranca": "19581316",
				"dataBaixa": f"{self.sim.today:%d.%m.%Y}",
				"horarioBaixa": "10:30:00",
			},
		)

	# -- test controls ---------------------------------------------------------------------------------------
	def pay(self, numero: str, amount=None, on: date | None = None):
		title = self.titles[numero]
		title["state"] = 6
		title["paid"] = (
			float(amount or title["request"]["valorOriginal"]),
			f"{on or self.sim.today:%d.%m.%Y}",
		)

	def set_state(self, numero: str, code: int):
		self.titles[numero]["state"] = code
