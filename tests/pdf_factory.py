"""Test helpers: a minimal PDF writer, contract-like PDFs, a throw-away test CA and pyHanko signing.

Nothing here is collected by pytest (the module name does not start with ``test_``). Everything binary the
pdfcheck tests use is generated from these functions at run time; nothing binary is committed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zlib
from dataclasses import dataclass

# ---------------------------------------------------------------------------------------------------------------
# A minimal PDF writer
# ---------------------------------------------------------------------------------------------------------------


class PdfBuilder:
	"""Collects numbered objects and serialises them with a classic xref table.

	``add(body)`` stores a plain object (``body`` is the object's text, e.g. ``"<< /Type /Catalog >>"``);
	``add(entries, stream=data)`` stores a stream whose dictionary holds ``entries`` plus the computed ``/Length``.
	"""

	def __init__(self) -> None:
		self._objects: dict[int, bytes] = {}
		self._next = 1

	def reserve(self) -> int:
		num = self._next
		self._next += 1
		return num

	def add(self, body: str | bytes, *, stream: bytes | None = None, num: int | None = None) -> int:
		if num is None:
			num = self.reserve()
		self._next = max(self._next, num + 1)
		if isinstance(body, str):
			body = body.encode("cp1252")
		if stream is not None:
			body = (
				b"<< "
				+ body
				+ b" /Length "
				+ str(len(stream)).encode()
				+ b" >>\nstream\n"
				+ stream
				+ b"\nendstream"
			)
		self._objects[num] = body
		return num

	def to_bytes(
		self,
		root: int,
		*,
		info: int | None = None,
		trailer_extra: str = "",
		version: str = "1.7",
		objstm: bool = False,
		objstm_data: bytes | None = None,
	) -> bytes:
		if objstm:
			return self._to_bytes_objstm(root, info, trailer_extra, version, objstm_data)
		out = io.BytesIO()
		out.write(b"%PDF-" + version.encode() + b"\n%\xe2\xe3\xcf\xd3\n")
		size = self._next
		offsets: dict[int, int] = {}
		for num in sorted(self._objects):
			offsets[num] = out.tell()
			out.write(str(num).encode() + b" 0 obj\n" + self._objects[num] + b"\nendobj\n")
		xref_at = out.tell()
		out.write(b"xref\n0 " + str(size).encode() + b"\n0000000000 65535 f \n")
		for num in range(1, size):
			if num in offsets:
				out.write(b"%010d 00000 n \n" % offsets[num])
			else:
				out.write(b"0000000000 65535 f \n")
		trailer = "<< /Size {} /Root {} 0 R{}{} >>".format(
			size,
			root,
			f" /Info {info} 0 R" if info else "",
			(" " + trailer_extra) if trailer_extra else "",
		)
		out.write(
			b"trailer\n" + trailer.encode("latin-1") + b"\nstartxref\n" + str(xref_at).encode() + b"\n%%EOF\n"
		)
		return out.getvalue()

	def _to_bytes_objstm(self, root, info, trailer_extra, version, objstm_data) -> bytes:
		"""PDF 1.5 layout: plain objects packed in one compressed object stream, an xref stream at the end.

		``objstm_data`` replaces the object stream's compressed data (e.g. with a decompression bomb)."""
		packed = {n: b for n, b in self._objects.items() if b"stream\n" not in b}
		loose = {n: b for n, b in self._objects.items() if n not in packed}
		stm_num, xref_num = self._next, self._next + 1
		head, body, index = [], b"", {}
		for i, (num, text) in enumerate(sorted(packed.items())):
			head.append(f"{num} {len(body)}")
			body += text + b"\n"
			index[num] = i
		header = " ".join(head).encode() + b"\n"
		data = objstm_data if objstm_data is not None else zlib.compress(header + body)
		out = io.BytesIO()
		out.write(b"%PDF-" + version.encode() + b"\n%\xe2\xe3\xcf\xd3\n")
		offsets = {}
		for num, text in sorted(loose.items()):
			offsets[num] = out.tell()
			out.write(str(num).encode() + b" 0 obj\n" + text + b"\nendobj\n")
		offsets[stm_num] = out.tell()
		out.write(
			b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
			% (stm_num, len(packed), len(header), len(data))
			+ data
			+ b"\nendstream\nendobj\n"
		)
		offsets[xref_num] = out.tell()
		size = xref_num + 1
		rows = b""
		for num in range(size):
			if num in offsets:
				rows += b"\x01" + offsets[num].to_bytes(4, "big") + b"\x00\x00"
			elif num in index:
				rows += b"\x02" + stm_num.to_bytes(4, "big") + index[num].to_bytes(2, "big")
			else:
				rows += b"\x00" + b"\x00" * 4 + b"\xff\xff"
		extra = (f" /Info {info} 0 R" if info else "") + ((" " + trailer_extra) if trailer_extra else "")
		out.write(
			f"{xref_num} 0 obj\n<< /Type /XRef /Size {size} /W [1 4 2] /Root {root} 0 R{extra} /Length {len(rows)} >>".encode()
			+ b"\nstream\n"
			+ rows
			+ b"\nendstream\nendobj\nstartxref\n"
			+ str(offsets[xref_num]).encode()
			+ b"\n%%EOF\n"
		)
		return out.getvalue()


def _text_stream(lines: list[str], y0: int = 760) -> bytes:
	parts = [f"BT /F1 12 Tf 14 TL 56 {y0} Td"]
	for line in lines:
		safe = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
		parts.append(f"({safe}) Tj T*")
	parts.append("ET")
	return "\n".join(parts).encode("cp1252")  # WinAnsiEncoding


@dataclass
class Extras:
	"""Hooks to put (bad) things into a generated contract.

	Each string is PDF object text; ``{builder}`` callbacks may add objects and return text to insert.
	"""

	catalog: str = ""
	first_page: str = ""
	trailer: str = ""


def contract_pdf(
	code: str = "CTR-2026-00042",
	pages: int = 3,
	*,
	extras: Extras | None = None,
	hook=None,
	image_bytes_per_page: int = 0,
	text: bool = True,
	compress: bool = True,
	seed: int = 7,
	objstm: bool = False,
	objstm_data: bytes | None = None,
) -> bytes:
	"""A contract-like PDF: every page carries the contract code in its text.

	``hook(builder) -> Extras`` may add objects (actions, annotations, embedded files...) and return the text to
	insert into the catalogue / first page / trailer. ``image_bytes_per_page`` adds an incompressible grey image
	per page (used by the benchmark to reach ~10 MB). ``text=False`` makes a "scanned" PDF: images only.
	"""
	b = PdfBuilder()
	catalog = b.reserve()
	pages_num = b.reserve()
	font = b.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	ext = extras or Extras()
	if hook is not None:
		more = hook(b)
		ext = Extras(
			ext.catalog + " " + more.catalog,
			ext.first_page + " " + more.first_page,
			ext.trailer + " " + more.trailer,
		)
	rnd = _Random(seed)
	kids = []
	for i in range(pages):
		lines = [
			"CONTRATO DE PRESTACAO DE SERVICOS DE LINK DEDICADO",
			f"Contrato n. {code}",
			f"Pagina {i + 1} de {pages}",
			f"Clausula {i + 1}: o CONTRATANTE declara ter lido e aceito as condicoes da proposta.",
		]
		resources = f"/Font << /F1 {font} 0 R >>"
		content = _text_stream(lines) if text else b""
		if image_bytes_per_page or not text:
			size = image_bytes_per_page or 40000
			width = 400
			height = max(1, size // width)
			img = b.add(
				f"/Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace /DeviceGray /BitsPerComponent 8",
				stream=rnd.bytes(width * height),
			)
			resources += f" /XObject << /Im1 {img} 0 R >>"
			content += b"\nq 400 0 0 300 100 100 cm /Im1 Do Q"
		if compress:
			cnum = b.add("/Filter /FlateDecode", stream=zlib.compress(content))
		else:
			cnum = b.add("", stream=content)
		extra = ext.first_page if i == 0 else ""
		kids.append(
			b.add(
				f"<< /Type /Page /Parent {pages_num} 0 R /MediaBox [0 0 595 842] /Resources << {resources} >> /Contents {cnum} 0 R {extra} >>"
			)
		)
	b.add(
		"<< /Type /Pages /Kids [{}] /Count {} >>".format(" ".join(f"{k} 0 R" for k in kids), len(kids)),
		num=pages_num,
	)
	b.add(
		f"<< /Type /Catalog /Pages {pages_num} 0 R {ext.catalog} >>",
		num=catalog,
	)
	info = b.add(f"<< /Producer (fiber_onboarding tests) /Title (Contrato {code}) >>")
	return b.to_bytes(
		catalog, info=info, trailer_extra=ext.trailer.strip(), objstm=objstm, objstm_data=objstm_data
	)


def page_pdf(content: bytes, *, hook=None, compress: bool = True) -> bytes:
	"""A one-page PDF whose page draws ``content`` (content-stream bytes) with Helvetica as /F1.

	``hook(builder) -> {"Font": "...", "XObject": "..."}`` may add objects and returns resource entries per
	category (e.g. ``{"Font": "/F2 7 0 R"}``).
	"""
	b = PdfBuilder()
	catalog, pages = b.reserve(), b.reserve()
	font = b.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	entries = {"Font": f"/F1 {font} 0 R"}
	for category, text in (hook(b) if hook else {}).items():
		entries[category] = (entries.get(category, "") + " " + text).strip()
	resources = " ".join(f"/{category} << {text} >>" for category, text in entries.items())
	if compress:
		contents = b.add("/Filter /FlateDecode", stream=zlib.compress(content))
	else:
		contents = b.add("", stream=content)
	page = b.add(
		f"<< /Type /Page /Parent {pages} 0 R /MediaBox [0 0 595 842] /Resources << {resources} >> /Contents {contents} 0 R >>"
	)
	b.add(f"<< /Type /Pages /Kids [{page} 0 R] /Count 1 >>", num=pages)
	b.add(f"<< /Type /Catalog /Pages {pages} 0 R >>", num=catalog)
	return b.to_bytes(catalog)


class _Random:
	"""Deterministic incompressible bytes (SHA-256 in counter mode), fast enough for ~10 MB."""

	def __init__(self, seed: int) -> None:
		self.seed = seed
		self.counter = 0

	def bytes(self, n: int) -> bytes:
		out = bytearray()
		while len(out) < n:
			block = hashlib.sha512(b"%d:%d" % (self.seed, self.counter)).digest()
			self.counter += 1
			out += block
		return bytes(out[:n])


def flate_bomb(inflated_bytes: int) -> bytes:
	"""A valid zlib stream of zeros inflating to ``inflated_bytes`` (a multiple of 1 MiB), built in milliseconds.

	After a full flush, deflate output is byte-aligned and independent of history, so the compressed form of one
	MiB of zeros can be repeated; the Adler-32 of the whole is computed alongside.
	"""
	chunk = b"\0" * (1 << 20)
	count = inflated_bytes // len(chunk)
	comp = zlib.compressobj(9)
	head = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
	block = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
	adler = ((inflated_bytes % 65521) << 16) | 1  # Adler-32 of n zero bytes: a = 1, b = n mod 65521
	final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # an empty final raw-deflate block
	return head + block * (count - 1) + final + adler.to_bytes(4, "big")


def lzw_bomb(inflated_bytes: int) -> bytes:
	"""An /LZWDecode stream of zeros inflating to about ``inflated_bytes`` (~1300:1), in PDF's LZW dialect
	(MSB-first codes, 9 to 12 bits, early change). Each code k >= 258 stands for k - 256 zeros; the table is
	cleared before it overflows. pypdf 3.17 decodes LZW without any bound: only the worker's limits stop it."""
	CLEAR, EOD = 256, 257
	acc, nbits, out = 0, 0, bytearray()

	def put(code: int, width: int) -> None:
		nonlocal acc, nbits
		acc = (acc << width) | code
		nbits += width
		while nbits >= 8:
			nbits -= 8
			out.append((acc >> nbits) & 0xFF)
		acc &= (1 << nbits) - 1

	produced, width = 0, 9
	while produced < inflated_bytes:
		put(CLEAR, width)
		dictlen, width = 258, 9
		put(0, width)
		produced += 1
		code = 258
		while code < 4096 and produced < inflated_bytes:
			put(code, width)
			produced += code - 256
			dictlen += 1
			if dictlen >= (1 << width) - 1 and width < 12:
				width += 1
			code += 1
	put(EOD, width)
	if nbits:
		put(0, 8 - nbits)
	return bytes(out)


# ---------------------------------------------------------------------------------------------------------------
# Test CA and signing
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class TestPki:
	root_pem: bytes
	root_der: bytes
	signer_cert_der: bytes
	signer_key_der: bytes  # PKCS#8
	intermediates_der: tuple[bytes, ...] = ()
	tsa_cert_der: bytes = b""
	tsa_key_der: bytes = b""
	crls_der: tuple[bytes, ...] = ()  # an empty CRL of each CA: what ``sign`` embeds as revocation data

	@property
	def root_sha256(self) -> str:
		return hashlib.sha256(self.root_pem).hexdigest()


def _key_usage(x509, *, ca: bool = False, nonrep: bool = True, signature: bool = True):
	return x509.KeyUsage(
		digital_signature=signature and not ca,
		content_commitment=nonrep and not ca,
		key_encipherment=not ca and signature,
		data_encipherment=False,
		key_agreement=False,
		key_cert_sign=ca,
		crl_sign=ca,
		encipher_only=False,
		decipher_only=False,
	)


def _name(x509, NameOID, cn: str, org: str = "Teste", serial_number: str | None = None):
	attrs = [
		x509.NameAttribute(NameOID.COUNTRY_NAME, "BR"),
		x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
		x509.NameAttribute(NameOID.COMMON_NAME, cn),
	]
	if serial_number:
		attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial_number))
	return x509.Name(attrs)


def make_pki(
	signer_cn: str = "NOME DO SIGNATARIO:12345678909",
	*,
	root_cn: str = "AC Raiz de Teste fiber_onboarding",
	serial_number: str | None = None,
	other_name_cpf: str | None = None,
	other_names: dict[str, str] | None = None,
	key_usage_nonrep: bool = True,
	intermediate: bool = False,
	tsa: bool = False,
) -> TestPki:
	"""Root CA [-> intermediate CA] -> signer certificate (RSA 2048), like an ICP-Brasil A1 certificate;
	optionally a time-stamping authority certificate issued by the root."""
	from cryptography import x509
	from cryptography.hazmat.primitives import hashes, serialization
	from cryptography.hazmat.primitives.asymmetric import rsa
	from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

	now = dt.datetime.now(dt.timezone.utc)

	def new_key():
		return rsa.generate_private_key(public_exponent=65537, key_size=2048)

	def issue(subject, key, issuer, issuer_key, *, ca: bool, days: int, extra=()):
		builder = (
			x509.CertificateBuilder()
			.subject_name(subject)
			.issuer_name(issuer)
			.public_key(key.public_key())
			.serial_number(x509.random_serial_number())
			.not_valid_before(now - dt.timedelta(days=1))
			.not_valid_after(now + dt.timedelta(days=days))
			.add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
			.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
		)
		if issuer_key is not key:
			builder = builder.add_extension(
				x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
			)
		for ext, critical in extra:
			builder = builder.add_extension(ext, critical=critical)
		return builder.sign(issuer_key, hashes.SHA256())

	def der(cert):
		return cert.public_bytes(serialization.Encoding.DER)

	def pkcs8(key):
		return key.private_bytes(
			serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
		)

	root_key = new_key()
	root_name = _name(x509, NameOID, root_cn)
	root = issue(
		root_name,
		root_key,
		root_name,
		root_key,
		ca=True,
		days=3650,
		extra=[(_key_usage(x509, ca=True), True)],
	)
	issuer_name, issuer_key, intermediates = root_name, root_key, []
	if intermediate:
		inter_key = new_key()
		inter_name = _name(x509, NameOID, "AC Intermediaria de Teste v1")
		inter = issue(
			inter_name,
			inter_key,
			root_name,
			root_key,
			ca=True,
			days=1825,
			extra=[(_key_usage(x509, ca=True), True)],
		)
		issuer_name, issuer_key, intermediates = inter_name, inter_key, [der(inter)]
	names = dict(other_names or {})
	if other_name_cpf:
		# ICP-Brasil otherName 2.16.76.1.3.1: birth date (8) + CPF (11) + NIS (11) + RG (15) + issuer/UF (6)
		names["2.16.76.1.3.1"] = "01011980" + other_name_cpf + "0" * 11 + "0" * 15 + "SSPSP "
	extra = [(_key_usage(x509, nonrep=key_usage_nonrep), True)]
	if names:
		general = []
		for oid, text in names.items():
			value = text.encode("ascii")
			general.append(x509.OtherName(x509.ObjectIdentifier(oid), b"\x04" + bytes([len(value)]) + value))
		extra.append((x509.SubjectAlternativeName(general), False))
	signer_key = new_key()
	signer = issue(
		_name(x509, NameOID, signer_cn, "ICP-Brasil (teste)", serial_number),
		signer_key,
		issuer_name,
		issuer_key,
		ca=False,
		days=365,
		extra=extra,
	)
	crls = [_empty_crl(x509, hashes, root_name, root_key, now)]
	if intermediate:
		crls.append(_empty_crl(x509, hashes, issuer_name, issuer_key, now))
	tsa_cert_der = tsa_key_der = b""
	if tsa:
		tsa_key = new_key()
		tsa_cert = issue(
			_name(x509, NameOID, "Carimbo do Tempo de Teste"),
			tsa_key,
			root_name,
			root_key,
			ca=False,
			days=365,
			extra=[
				(_key_usage(x509, nonrep=False), True),
				(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True),
			],
		)
		tsa_cert_der, tsa_key_der = der(tsa_cert), pkcs8(tsa_key)
	return TestPki(
		root_pem=root.public_bytes(serialization.Encoding.PEM),
		root_der=der(root),
		signer_cert_der=der(signer),
		signer_key_der=pkcs8(signer_key),
		intermediates_der=tuple(intermediates),
		tsa_cert_der=tsa_cert_der,
		tsa_key_der=tsa_key_der,
		crls_der=tuple(c.public_bytes(serialization.Encoding.DER) for c in crls),
	)


def _empty_crl(x509, hashes, issuer_name, issuer_key, now):
	return (
		x509.CertificateRevocationListBuilder()
		.issuer_name(issuer_name)
		.last_update(now - dt.timedelta(days=1))
		.next_update(now + dt.timedelta(days=3650))
		.sign(issuer_key, hashes.SHA256())
	)


def sign(
	pdf: bytes, pki: TestPki, *, field_name: str = "AssinaturaContratante", revinfo: bool = True
) -> bytes:
	"""Sign ``pdf`` incrementally with pyHanko (PAdES baseline, detached CMS; intermediates embedded); with
	``revinfo`` the CAs' CRLs are then added to the Document Security Store (/DSS), like a PAdES B-LT signer, so
	the checker can establish revocation offline."""
	from asn1crypto import keys, x509
	from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
	from pyhanko.sign import fields, signers
	from pyhanko_certvalidator.registry import SimpleCertificateStore

	chain = [x509.Certificate.load(pki.root_der)] + [x509.Certificate.load(c) for c in pki.intermediates_der]
	signer = signers.SimpleSigner(
		signing_cert=x509.Certificate.load(pki.signer_cert_der),
		signing_key=keys.PrivateKeyInfo.load(pki.signer_key_der),
		cert_registry=SimpleCertificateStore.from_certs(chain),
	)
	writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
	out = signers.sign_pdf(
		writer,
		signers.PdfSignatureMetadata(field_name=field_name, subfilter=fields.SigSeedSubFilter.PADES),
		signer=signer,
	)
	if revinfo and pki.crls_der:
		return add_dss(out.getvalue(), crls=pki.crls_der)
	return out.getvalue()


def add_dss(pdf: bytes, *, crls=(), ocsps=()) -> bytes:
	"""Append a /DSS revision holding ``crls`` / ``ocsps`` (DER), as PAdES-LT signing tools do."""
	from asn1crypto import crl, ocsp
	from pyhanko.sign.validation.dss import DocumentSecurityStore

	buf = io.BytesIO(pdf)
	DocumentSecurityStore.add_dss(
		buf,
		None,
		crls=[crl.CertificateList.load(c) for c in crls],
		ocsps=[ocsp.OCSPResponse.load(o) for o in ocsps],
		force_write=True,
	)
	return buf.getvalue()


def doc_timestamp(pdf: bytes, pki: TestPki) -> bytes:
	"""Append a PAdES document timestamp (/DocTimeStamp) from the test TSA (``make_pki(tsa=True)``)."""
	from asn1crypto import keys, x509
	from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
	from pyhanko.sign import signers
	from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

	stamper = DummyTimeStamper(
		tsa_cert=x509.Certificate.load(pki.tsa_cert_der), tsa_key=keys.PrivateKeyInfo.load(pki.tsa_key_der)
	)
	writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
	out = signers.PdfTimeStamper(stamper).timestamp_pdf(writer, "sha256")
	return out.getvalue()


def append_update(pdf: bytes, objects: dict, *, root_override: str | None = None) -> bytes:
	"""Append an incremental update replacing/adding ``objects`` (number -> object text), like a later editor.

	When ``root_override`` is given, it is written as the new catalogue object (same number as the current one).
	"""
	from pypdf import PdfReader

	reader = PdfReader(io.BytesIO(pdf))
	prev = _last_startxref(pdf)
	size = int(reader.trailer["/Size"])
	root_ref = reader.trailer.raw_get("/Root")
	body = dict(objects)
	if root_override is not None:
		body[root_ref.idnum] = root_override
	out = io.BytesIO()
	out.write(pdf if pdf.endswith(b"\n") else pdf + b"\n")
	offsets = {}
	for num in sorted(body):
		offsets[num] = out.tell()
		text = body[num] if isinstance(body[num], bytes) else body[num].encode("latin-1")
		out.write(str(num).encode() + b" 0 obj\n" + text + b"\nendobj\n")
	xref_at = out.tell()
	out.write(b"xref\n")
	for num in sorted(offsets):
		out.write(b"%d 1\n%010d 00000 n \n" % (num, offsets[num]))
	new_size = max([size, *[n + 1 for n in body]])
	trailer = f"<< /Size {new_size} /Root {root_ref.idnum} 0 R /Prev {prev} >>"
	out.write(b"trailer\n" + trailer.encode() + b"\nstartxref\n" + str(xref_at).encode() + b"\n%%EOF\n")
	return out.getvalue()


def _last_startxref(pdf: bytes) -> int:
	pos = pdf.rfind(b"startxref")
	return int(pdf[pos + 9 :].split()[0])


def object_text(pdf: bytes, num: int) -> str:
	"""Text of (non-stream) object ``num`` as the file currently resolves it."""
	from pypdf import PdfReader
	from pypdf.generic import IndirectObject

	reader = PdfReader(io.BytesIO(pdf))
	return _pdf_repr(IndirectObject(num, 0, reader).get_object())


def page_ref(pdf: bytes, index: int = 0) -> int:
	from pypdf import PdfReader

	return PdfReader(io.BytesIO(pdf)).pages[index].indirect_reference.idnum


def next_free(pdf: bytes) -> int:
	from pypdf import PdfReader

	return int(PdfReader(io.BytesIO(pdf)).trailer["/Size"])


def catalog_text(pdf: bytes) -> tuple[int, str]:
	"""Number and text of the current catalogue (for ``append_update`` root overrides)."""
	from pypdf import PdfReader

	reader = PdfReader(io.BytesIO(pdf))
	ref = reader.trailer.raw_get("/Root")
	root = reader.trailer["/Root"]
	parts = []
	for key, value in root.items():
		parts.append(f"{key} {_pdf_repr(value)}")
	return ref.idnum, "<< " + " ".join(parts) + " >>"


def _pdf_repr(value) -> str:
	from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

	if isinstance(value, IndirectObject):
		return f"{value.idnum} {value.generation} R"
	if isinstance(value, DictionaryObject):
		return "<< " + " ".join(f"{k} {_pdf_repr(v)}" for k, v in value.items()) + " >>"
	if isinstance(value, ArrayObject):
		return "[" + " ".join(_pdf_repr(v) for v in value) + "]"
	text = io.BytesIO()
	value.write_to_stream(text)
	return text.getvalue().decode("latin-1")


def random_bytes(n: int, seed: int = 1) -> bytes:
	return _Random(seed).bytes(n)


_PKI_CACHE: dict = {}


def cached_pki(name: str = "default", **kwargs) -> TestPki:
	"""One key pair per name and process (RSA key generation is the slow part of the tests)."""
	if name not in _PKI_CACHE:
		_PKI_CACHE[name] = make_pki(**kwargs)
	return _PKI_CACHE[name]
