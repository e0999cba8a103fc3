"""Text-extraction wrappers for pypdf 3.17 (installed by ``_patches.bounded_parsing``): form nesting, characters
produced, font character maps and glyph widths, each charged to the analysis' ``bounds.Budget`` while pypdf
extracts the text in which the contract code is looked for."""

from __future__ import annotations

from .bounds import Budget


def extract_xform_text(original, budget: Budget):
	def extract_xform_text(self, *args, **kwargs):
		budget.enter("xobject_depth")
		try:
			return original(self, *args, **kwargs)
		finally:
			budget.leave("xobject_depth")

	return extract_xform_text


def handle_tj(original, budget: Budget):
	"""Charge ``text_chars`` with an upper bound of the characters a Tj can produce (string length times the
	longest mapping of its font) before pypdf decodes it: a font can map one code to a long text."""
	widest: dict = {}

	def longest(mapping) -> int:
		if not isinstance(mapping, dict):
			return 1
		key = id(mapping)
		if key not in widest:
			lengths = [len(v) for v in mapping.values() if isinstance(v, str)]
			widest[key] = (mapping, max(lengths, default=1) or 1)  # keeps the mapping alive: ids stay unique
		return widest[key][1]

	def handle_tj(text, operands, cm_matrix, tm_matrix, cmap, *args):
		if operands:
			try:
				size = len(operands[0])
			except TypeError:
				size = 1
			budget.charge("text_chars", max(size, 1) * longest(cmap[0]) * longest(cmap[1]))
		return original(text, operands, cm_matrix, tm_matrix, cmap, *args)

	return handle_tj


def bfrange(original, budget: Budget):
	def parse_bfrange(line, map_dict, int_entry, multiline_rg):
		words = [w for w in line.split(b" ") if w]
		entries = len(words)
		if multiline_rg is None and len(words) >= 3 and words[2] != b"[":
			try:
				entries = max(int(words[1], 16) - int(words[0], 16) + 1, 1)
			except ValueError:
				pass  # pypdf raises its own error
		budget.charge("font_entries", entries)
		return original(line, map_dict, int_entry, multiline_rg)

	return parse_bfrange


def space_width(original, budget: Budget):
	"""``compute_space_width`` with the CID /W array read in one linear pass, each width charged before it is
	stored (pypdf 3.17 slices the array once per entry and expands ranges without bound)."""
	from pypdf._utils import logger_warning
	from pypdf.generic import IndirectObject, NullObject

	def compute_space_width(ft, space_code, space_width):
		if "/DescendantFonts" not in ft:
			return original(ft, space_code, space_width)
		cid_font = ft["/DescendantFonts"][0].get_object()
		widths: dict = {}
		try:
			widths[-1] = cid_font["/DW"]
		except Exception:
			widths[-1] = 1000.0
		w = list(cid_font["/W"]) if "/W" in cid_font else []
		budget.charge("font_entries", len(w))
		i = 0
		while i < len(w):
			first = w[i] if isinstance(w[i], int) else w[i].get_object()
			second = w[i + 1].get_object()
			if isinstance(second, int):
				budget.charge("font_entries", max(second - first, 0))
				for code in range(first, second):
					widths[code] = w[i + 2]
				i += 3
			elif isinstance(second, list):
				for value in second:
					widths[first] = value
					first += 1
				i += 2
			else:
				logger_warning("unknown widths : \n" + repr(cid_font["/W"]), "pypdf._cmap")
				break
		try:
			sp_width = widths[space_code]
		except Exception:
			sp_width = widths[-1] / 2.0
		if isinstance(sp_width, IndirectObject):
			obj = sp_width.get_object()
			return 0.0 if obj is None or isinstance(obj, NullObject) else obj
		return sp_width

	return compute_space_width


def char_maps(original):
	"""``build_char_map`` once per font object and analysis: pypdf rebuilds every font of the page for each page
	and each form drawn, so repeated draws would re-scan the same tables (and re-charge their budgets)."""
	built: dict = {}

	def build_char_map(font_name, space_width, obj):
		font = obj["/Resources"]["/Font"][font_name]
		key = (id(font), space_width)
		if key not in built:
			built[key] = (font, original(font_name, space_width, obj))  # the font is kept: ids stay unique
		return built[key][1]

	return build_char_map


def font_data(original, budget: Budget, path: tuple[str, ...]):
	"""Charge the font program / character map a pypdf font helper is about to scan to ``content_bytes``."""

	def helper(ft, *args):
		try:
			obj = ft
			for key in path:
				obj = obj[key].get_object()
			size = len(obj.get_data())
		except Exception:
			size = 0  # absent or unreadable: pypdf deals with it
		budget.charge("content_bytes", size)
		return original(ft, *args)

	return helper
