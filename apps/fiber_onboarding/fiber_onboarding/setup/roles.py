"""The app's roles, created on install and migrate when missing (existing roles are left as staff set them).

One property is enforced on every run: the portal role never reaches the desk (``desk_access = 0``). Syncing the
DocTypes' permissions may have created the role first with Frappe's default (desk access on).
"""

import frappe

from fiber_onboarding.core.process import ALL_ROLES, CUSTOMER

PORTAL_HOME = "ativacoes"


def ensure_roles():
	for role in ALL_ROLES:
		if not frappe.db.exists("Role", role):
			doc = frappe.new_doc("Role")
			doc.role_name = role
			doc.desk_access = 0 if role == CUSTOMER else 1
			if role == CUSTOMER:
				doc.home_page = PORTAL_HOME
			doc.insert(ignore_permissions=True)
	desk_access, home_page = frappe.db.get_value("Role", CUSTOMER, ["desk_access", "home_page"])
	if desk_access:
		frappe.db.set_value("Role", CUSTOMER, "desk_access", 0)
	if not home_page:
		frappe.db.set_value("Role", CUSTOMER, "home_page", PORTAL_HOME)
