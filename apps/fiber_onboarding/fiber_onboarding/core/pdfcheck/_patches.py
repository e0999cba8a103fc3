"""Route pypdf 3.17's and pyHanko's parsers through a ``bounds.Budget`` for the duration of one analysis.

pypdf 3.17 predates the 2025-26 denial-of-service fixes (signed-pdf.md §6): unbounded LZW/RunLength decoding,
no /Prev cycle detection, a quadratic object-stream lookup, unbounded character-map ranges and glyph-width
arrays, fonts rebuilt for every page and form (``_text_patches``); both libraries read strings byte by byte and
loop forever on a comment that meets the end of the data (``_readers``). ``bounded_parsing`` patches the few
functions involved (and restores them on exit) so that every such loop is charged to a budget while it runs,
or runs in linear time; the replacements keep the libraries' results.
"""

from __future__ import annotations

import contextlib
from io import BytesIO

from . import _readers
from . import _text_patches as text
from .bounds import Budget


def _bytes_io_only(fast, original):
	"""The linear-time string reader for in-memory streams (all of ours), the library's own otherwise."""

	def reader(stream, *args, **kwargs):
		if isinstance(stream, BytesIO):
			return fast(stream, *args, **kwargs)
		return original(stream, *args, **kwargs)

	return reader


def _pyhanko_comment_guard(original):
	"""pyHanko's ``read_object`` with a comment in front of the object skipped here (its own loop never ends
	when the comment meets the end of the data); then, as pyHanko does, blanks and comments up to the object."""
	import os

	import pyhanko.pdf_utils.generic as ph_generic
	from pyhanko.pdf_utils.misc import read_non_whitespace

	def read_object(stream, *args, **kwargs):
		if isinstance(stream, BytesIO) and _readers.pyhanko_comment_before_object(stream):
			read_non_whitespace(stream)
			stream.seek(-1, os.SEEK_CUR)
			container_ref = args[0] if args else kwargs.get("container_ref")
			return ph_generic.read_object(stream, container_ref)  # the module's (budgeted) reader, as pyHanko
		return original(stream, *args, **kwargs)

	return read_object


def _read_object(original, budget: Budget):
	def read_object(*args, **kwargs):
		budget.enter("nesting")
		try:
			budget.charge("content_ops" if budget.in_content else "objects")
			return original(*args, **kwargs)
		finally:
			budget.leave("nesting")

	return read_object


def _content_init(budget: Budget):
	"""``ContentStream.__init__``: the same data, joined in linear time (pypdf concatenates the parts of a
	/Contents array one by one), every byte charged to ``content_bytes`` before it is copied."""
	from pypdf._utils import b_
	from pypdf.generic import ArrayObject, DecodedStreamObject

	def __init__(self, stream, pdf, forced_encoding=None) -> None:
		self.pdf = pdf
		self._operations = []
		if stream is None:
			DecodedStreamObject.set_data(self, b"")
			return
		stream = stream.get_object()
		if isinstance(stream, ArrayObject):
			parts = []
			for item in stream:
				part = b_(item.get_object().get_data())
				budget.charge("content_bytes", len(part) + 1)
				parts += [part, b"\n"]  # pypdf 3.17 appends a newline after every part
			DecodedStreamObject.set_data(self, b"".join(parts))
		else:
			data = stream.get_data()
			assert data is not None
			budget.charge("content_bytes", len(data))
			DecodedStreamObject.set_data(self, b_(data))
		self.forced_encoding = forced_encoding

	return __init__


def _parse_content_stream(budget: Budget):
	"""pypdf 3.17's content-stream tokenizer, with operators (and, through ``read_object``, operands) charged
	to ``content_ops`` as they are read."""
	import pypdf._utils as pypdf_utils
	from pypdf._utils import read_non_whitespace
	from pypdf.generic import NameObject
	from pypdf.generic import _data_structures as data_structures

	def parse(self, stream) -> None:
		stream.seek(0, 0)
		operands: list = []
		budget.in_content = True
		try:
			while True:
				peek = read_non_whitespace(stream)
				if peek == b"" or peek == 0:
					break
				stream.seek(-1, 1)
				if peek.isalpha() or peek in (b"'", b'"'):
					operator = pypdf_utils.read_until_regex(stream, NameObject.delimiter_pattern)
					budget.charge("content_ops")
					if operator == b"BI":
						assert operands == []
						self._operations.append((self._read_inline_image(stream), b"INLINE IMAGE"))
					else:
						self._operations.append((operands, operator))
						operands = []
				elif peek == b"%":
					while peek not in (b"\r", b"\n", b""):
						peek = stream.read(1)
				else:
					operands.append(data_structures.read_object(stream, None, self.forced_encoding))
		finally:
			budget.in_content = False

	return parse


def _object_from_stream(budget: Budget):
	"""``PdfReader._get_object_from_stream`` with each object stream's header parsed once per reader (pypdf
	3.17 re-reads it, and copies the stream, for every object: quadratic); header entries count as objects."""
	import pypdf._reader as reader_module
	from pypdf._utils import b_, logger_warning, read_non_whitespace
	from pypdf.errors import PdfStreamError
	from pypdf.generic import IndirectObject, NullObject, NumberObject

	def index(obj_stm) -> tuple:
		data = b_(obj_stm.get_data())
		stream = BytesIO(data)
		offsets: dict = {}
		try:
			for _ in range(obj_stm["/N"]):
				budget.charge("objects", 2)
				values = []
				for _part in range(2):
					read_non_whitespace(stream)
					stream.seek(-1, 1)
					values.append(NumberObject.read_from_stream(stream))
				read_non_whitespace(stream)
				stream.seek(-1, 1)
				offsets.setdefault(values[0], values[1])
		except Exception as exc:
			budget.check()
			return obj_stm, data, offsets, exc
		return obj_stm, data, offsets, None

	def get_object_from_stream(self, indirect_reference):
		stmnum, idx = self.xref_objStm[indirect_reference.idnum]
		obj_stm = IndirectObject(stmnum, 0, self).get_object()
		assert obj_stm["/Type"] == "/ObjStm"
		assert idx < obj_stm["/N"]
		cache = self.__dict__.setdefault("_bounded_objstm", {})
		if stmnum not in cache or cache[stmnum][0] is not obj_stm:
			cache[stmnum] = index(obj_stm)
		_stm, data, offsets, error = cache[stmnum]
		if indirect_reference.idnum not in offsets:
			if error is not None:
				raise error
			return NullObject()
		stream = BytesIO(data)
		stream.seek(int(obj_stm["/First"] + offsets[indirect_reference.idnum]), 0)
		read_non_whitespace(stream)
		stream.seek(-1, 1)
		try:
			return reader_module.read_object(stream, self)
		except PdfStreamError as exc:
			logger_warning(
				f"Invalid stream within object {indirect_reference.idnum} {indirect_reference.generation}: {exc}",
				reader_module.__name__,
			)
			return NullObject()

	return get_object_from_stream


def _xref(original, budget: Budget, where):
	def read(self, *args):
		budget.xref_section(self, (original.__name__, where(self, args)))
		return original(self, *args)

	return read


@contextlib.contextmanager
def bounded_parsing(budget: Budget | None = None):
	"""Patch pypdf and pyHanko so that every parsing step is charged to ``budget`` (a new ``Budget`` when
	omitted); yields the budget. Everything is restored on exit, also after an error."""
	import pyhanko.pdf_utils.content_stream_parser as ph_content
	import pyhanko.pdf_utils.filters as ph_filters
	import pyhanko.pdf_utils.generic as ph_generic
	import pyhanko.pdf_utils.xref as ph_xref
	import pypdf._cmap as cmap
	import pypdf._page as page
	import pypdf._reader as reader
	import pypdf._utils as pypdf_utils
	import pypdf.filters as filters
	import pypdf.generic as generic
	import pypdf.generic._base as generic_base
	import pypdf.generic._data_structures as data_structures
	import pypdf.generic._utils as generic_utils
	from pypdf.generic import ContentStream

	budget = budget or Budget()
	read_pypdf, read_pyhanko = data_structures.read_object, ph_generic.read_object
	pdf_reader, builder = reader.PdfReader, ph_xref.XRefBuilder
	table = [
		(filters, "decompress", budget.inflate),
		(ph_filters, "decompress", budget.inflate),
		(filters.LZWDecode, "decode", staticmethod(budget.lzw)),
		(filters.RunLengthDecode, "decode", staticmethod(budget.run_length)),
		(ContentStream, "__init__", _content_init(budget)),
		(ContentStream, "_parse_content_stream", _parse_content_stream(budget)),
		(pdf_reader, "_get_object_from_stream", _object_from_stream(budget)),
		(
			page.PageObject,
			"extract_xform_text",
			text.extract_xform_text(page.PageObject.extract_xform_text, budget),
		),
		(page, "handle_tj", text.handle_tj(page.handle_tj, budget)),
		(page, "build_char_map", text.char_maps(page.build_char_map)),
		(cmap, "parse_bfrange", text.bfrange(cmap.parse_bfrange, budget)),
		(cmap, "compute_space_width", text.space_width(cmap.compute_space_width, budget)),
		(cmap, "prepare_cm", text.font_data(cmap.prepare_cm, budget, ("/ToUnicode",))),
		(
			cmap,
			"type1_alternative",
			text.font_data(cmap.type1_alternative, budget, ("/FontDescriptor", "/FontFile")),
		),
	]
	for module in (data_structures, generic, reader):
		table.append((module, "read_object", _read_object(read_pypdf, budget)))
	for module in (ph_generic, ph_content):
		table.append((module, "read_object", _read_object(_pyhanko_comment_guard(read_pyhanko), budget)))
	for modules, name, fast in (
		((pypdf_utils, generic_base, data_structures), "read_until_regex", _readers.pypdf_read_until_regex),
		((pypdf_utils, reader, data_structures), "skip_over_comment", _readers.pypdf_skip_over_comment),
	):
		for module in modules:
			table.append((module, name, _bytes_io_only(fast, getattr(pypdf_utils, name))))
	for module in (generic_utils, data_structures, generic):
		for name, fast in (
			("read_hex_string_from_stream", _readers.pypdf_read_hex_string),
			("read_string_from_stream", _readers.pypdf_read_string),
		):
			table.append((module, name, _bytes_io_only(fast, getattr(generic_utils, name))))
	table += [
		(generic_utils, "decode_pdfdocencoding", _readers.pypdf_decode_pdfdocencoding),
		(
			ph_generic,
			"read_hex_string_from_stream",
			_bytes_io_only(_readers.pyhanko_read_hex_string, ph_generic.read_hex_string_from_stream),
		),
		(
			ph_generic,
			"_read_string_literal_bytes",
			_bytes_io_only(_readers.pyhanko_string_literal_bytes, ph_generic._read_string_literal_bytes),
		),
		(
			ph_generic,
			"read_until_regex",
			_bytes_io_only(_readers.pyhanko_read_until_regex, ph_generic.read_until_regex),
		),
		(
			ph_generic,
			"read_until_delimiter",
			_bytes_io_only(_readers.pyhanko_read_until_delimiter, ph_generic.read_until_delimiter),
		),
		(ph_generic, "_decode_name", _readers.pyhanko_decode_name),
	]
	at_stream = lambda self, args: args[0].tell()  # noqa: E731
	for name, where in (
		("_read_xref", at_stream),
		("_read_pdf15_xref_stream", at_stream),
		("_read_xref_other_error", lambda self, args: args[1]),
	):
		table.append((pdf_reader, name, _xref(getattr(pdf_reader, name), budget, where)))
	for name in ("_read_xref_table", "_read_xref_stream"):
		where = lambda self, args: self.stream.tell()  # noqa: E731
		table.append((builder, name, _xref(getattr(builder, name), budget, where)))
	saved = [(owner, name, owner.__dict__[name]) for owner, name, _new in table]
	try:
		for owner, name, new in table:
			setattr(owner, name, new)
		yield budget
	finally:
		for owner, name, old in reversed(saved):
			setattr(owner, name, old)
