"""The six banks' layouts: one module per bank, each naming the manual (and version) its layouts follow."""

from __future__ import annotations

from . import bb, bradesco, caixa, itau, santander, sicoob

PROFILES_240 = {
	"001": bb.BB240,
	"033": santander.Santander240,
	"104": caixa.Caixa240,
	"237": bradesco.Bradesco240,
	"341": itau.Itau240,
	"756": sicoob.Sicoob240,
}
PROFILES_400 = {
	"001": bb.BB400,
	"033": santander.Santander400,
	"104": caixa.Caixa400,
	"237": bradesco.Bradesco400,
	"341": itau.Itau400,
	"756": sicoob.Sicoob400,
}
KEYS = {
	"001": bb.key,
	"033": santander.key,
	"104": caixa.key,
	"237": bradesco.key,
	"341": itau.key,
	"756": sicoob.key,
}
