"""Integration: the version guard on install/migrate and the e-mail template installer."""

from unittest.mock import patch

import frappe

from fiber_onboarding.setup import install
from fiber_onboarding.setup.email_templates import ensure_email_templates, template_files

try:
	from frappe.tests import IntegrationTestCase as TestCase
except ImportError:
	from frappe.tests.utils import FrappeTestCase as TestCase


class TestVersionGuard(TestCase):
	def test_this_site_passes(self):
		install.check_versions()

	def test_other_majors_are_refused(self):
		import erpnext

		for module, version in ((frappe, "16.0.0"), (frappe, "14.9.9"), (erpnext, "16.1.0")):
			with (
				self.subTest(module=module.__name__, version=version),
				patch.object(module, "__version__", version),
			):
				with self.assertRaises(install.UnsupportedVersionError) as raised:
					install.check_versions()
				self.assertIn(version, str(raised.exception))

	def test_hooks_run_the_guard_before_install_and_migrate(self):
		hooks = frappe.get_hooks()
		for hook in ("before_install", "before_migrate"):
			self.assertIn("fiber_onboarding.setup.install.check_versions", hooks.get(hook, []))


class TestEmailTemplates(TestCase):
	def test_every_template_file_is_installed(self):
		ensure_email_templates()
		for path in template_files():
			self.assertTrue(frappe.db.exists("Email Template", path.stem), path.name)

	def test_staff_edits_survive_a_migrate(self):
		name = template_files()[0].stem
		frappe.db.set_value("Email Template", name, "subject", "Assunto editado pela equipe")
		ensure_email_templates()
		install.ensure_setup()
		self.assertEqual(
			frappe.db.get_value("Email Template", name, "subject"), "Assunto editado pela equipe"
		)

	def test_a_deleted_template_comes_back(self):
		name = template_files()[-1].stem
		frappe.delete_doc("Email Template", name, ignore_permissions=True, force=True)
		ensure_email_templates()
		self.assertTrue(frappe.db.exists("Email Template", name))
