"""Integration: the portal pages carry only the icons they use, and their base template stays Frappe's.

Frappe's ``templates/base.html`` inlines both of its icon sprites (≈ 320 KB) into every web page. The portal's
pages use ``templates/portal_base.html`` instead (their ``base_template_path``): Frappe's base template with one
include of ``templates/includes/portal_icons.svg``, a handful of Frappe's own symbols. Checked here:

- ``portal_base.html`` is Frappe's installed ``base.html`` with that one change (a Frappe update shows up here);
- every symbol of ``portal_icons.svg`` is Frappe's symbol of the same id, unchanged;
- each portal page, rendered as its customer (the registration page as a visitor), stays within a byte budget
  and every icon it references (``href="#…"``) is defined in it.
"""

from __future__ import annotations

import os
import re

import frappe

from fiber_onboarding.tests.test_portal_queries import new_customer, portal_pages, render_page

try:
	from frappe.tests import IntegrationTestCase as TestCase
except ImportError:
	from frappe.tests.utils import FrappeTestCase as TestCase

SPRITES = ("public/icons/timeless/icons.svg", "public/icons/espresso/icons.svg")
PORTAL_ICONS = "fiber_onboarding/templates/includes/portal_icons.svg"
PAGE_BUDGET = 64 * 1024  # bytes of HTML; Frappe's own /me page is ≈ 330 KB, ≈ 320 KB of it icon sprites
SYMBOL = re.compile(r'<symbol\b[^>]*\bid="([^"]+)"[^>]*>.*?</symbol>', re.S)
FRAGMENT_REF = re.compile(r'(?:xlink:)?href="#([^"]+)"')


def _read(app: str, relative: str) -> str:
	with open(os.path.join(frappe.get_app_path(app), relative), encoding="utf-8") as fh:
		return fh.read()


def _frappe_symbols() -> dict[str, str]:
	symbols: dict[str, str] = {}
	for sprite in SPRITES:
		for m in SYMBOL.finditer(_read("frappe", sprite)):
			symbols.setdefault(m.group(1), m.group(0))
	return symbols


class TestPortalWeight(TestCase):
	def setUp(self):
		self._lang = frappe.local.lang

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.local.lang = self._lang

	def test_portal_base_is_frappes_base_with_only_the_portal_icons(self):
		frappe_base = _read("frappe", "templates/base.html")
		ours = _read("fiber_onboarding", "templates/portal_base.html")
		includes = "".join(f'\t{{% include "{s}" %}}\n' for s in SPRITES)
		self.assertEqual(
			frappe_base.count(includes), 1, "Frappe's base.html changed: update portal_base.html"
		)
		body = ours[ours.index("-#}\n") + len("-#}\n") :]  # after our header comment
		self.assertEqual(body, frappe_base.replace(includes, f'\t{{% include "{PORTAL_ICONS}" %}}\n'))

	def test_portal_icons_are_frappes_symbols(self):
		frappe_symbols = _frappe_symbols()
		ours = dict(
			(m.group(1), m.group(0))
			for m in SYMBOL.finditer(_read("fiber_onboarding", "templates/includes/portal_icons.svg"))
		)
		self.assertIn("icon-menu", ours)  # the navbar's toggle on small screens
		for name, symbol in ours.items():
			self.assertEqual(symbol, frappe_symbols.get(name), f"{name} differs from Frappe's")

	def test_pages_stay_small_and_define_every_icon_they_use(self):
		who = new_customer()
		pages = {label: (who.user, path, query) for label, (path, query) in portal_pages(who.case).items()}
		pages["registration"] = ("Guest", "/cadastro", None)
		for label, (user, path, query) in pages.items():
			with self.subTest(page=label):
				status, html, _counter = render_page(user, path, query)
				self.assertEqual(status, 200, html[:400])
				self.assertIn('id="frappe-symbols"', html)
				size = len(html.encode("utf-8"))
				self.assertLessEqual(size, PAGE_BUDGET, f"{label}: {size} bytes")
				defined = set(re.findall(r'\bid="([^"]+)"', html))
				used = {ref for ref in FRAGMENT_REF.findall(html) if ref}
				self.assertEqual(used - defined, set(), f"{label} uses icons it does not define")
