"""Row-level isolation for portal customers.

One criterion serves every customer-scoped DocType (they all carry a ``customer`` Link): a user whose only
fiber role is the portal role "Fiber Customer" sees a record only when its customer lists that user among the
Customer's portal users. Staff roles keep what their DocType permissions grant. These hooks can only deny,
never grant beyond the roles' DocType permissions.
"""

import frappe
from frappe import _

from fiber_onboarding.core.process import CUSTOMER as CUSTOMER_ROLE
from fiber_onboarding.utils.per_request import remember

STAFF_ROLES = frozenset(
	{
		"System Manager",
		"Fiber Sales",
		"Fiber Finance",
		"Fiber Projects",
		"Fiber Field Technician",
		"Fiber Activation",
		"Fiber Onboarding Manager",
	}
)


def is_staff(user: str | None = None) -> bool:
	user = user or frappe.session.user
	if user == "Administrator":
		return True
	return bool(STAFF_ROLES.intersection(frappe.get_roles(user)))


def is_customer(user: str | None = None) -> bool:
	"""A portal customer: a logged-in user holding the portal role (other Website Users count as visitors)."""
	user = user or frappe.session.user
	return user != "Guest" and CUSTOMER_ROLE in frappe.get_roles(user)


def customers_of(user: str | None = None) -> list[str]:
	"""Customers that list ``user`` as a portal user (read once per page view: every check of it asks)."""
	user = user or frappe.session.user
	if user == "Guest":
		return []
	customers = remember(
		("customers_of", user),
		lambda: tuple(
			frappe.get_all(
				"Portal User",
				filters={"user": user, "parenttype": "Customer"},
				pluck="parent",
				ignore_permissions=True,
			)
		),
	)
	return list(customers)


def get_permission_query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	user = user or frappe.session.user
	if is_staff(user):
		return ""
	customers = customers_of(user)
	if not customers:
		return "1=0"
	values = ", ".join(frappe.db.escape(c) for c in customers)
	return f"`tab{doctype}`.`customer` in ({values})"


def can_see(doc, user: str | None = None) -> bool:
	user = user or frappe.session.user
	if is_staff(user):
		return True
	customer = doc.get("customer")
	return bool(customer) and customer in customers_of(user)


def has_permission(doc, ptype: str | None = None, user: str | None = None, debug: bool = False) -> bool:
	return can_see(doc, user)


def has_website_permission(
	doc, ptype: str | None = None, user: str | None = None, verbose: bool = False
) -> bool:
	return can_see(doc, user)


def require_roles(roles, user: str | None = None):
	"""Refuse unless the user holds one of ``roles`` (Administrator always passes).

	Like ``frappe.only_for``, which however does nothing while tests run: this check is the same in tests and in
	production, so the tests prove it.
	"""
	user = user or frappe.session.user
	if user == "Administrator":
		return
	roles = (roles,) if isinstance(roles, str) else tuple(roles)
	if set(roles).isdisjoint(frappe.get_roles(user)):
		frappe.throw(
			_("This action is only allowed for {0}.").format(", ".join(_(r) for r in roles)),
			frappe.PermissionError,
		)
