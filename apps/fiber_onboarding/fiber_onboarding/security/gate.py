"""The portal gate: deny by default for visitors (Guest) and portal customers (Website Users).

Hook ``auth_hooks``. Frappe runs the auth hooks inside ``frappe.auth.validate_auth``, after API-key, token and
OAuth-bearer authentication have set the request's user, and before it dispatches anything (``cmd``,
``/api/...``, pages, files): the user checked here is the user the method will run as. ``before_request`` hooks
run earlier, in ``init_request``, before ``validate_auth``: an API-key request is still "Guest" there, so a gate
there would refuse staff API clients or judge the wrong user. One hook therefore covers every door:

- ``/api/method/<m>``, ``/api/v1/method/<m>``, ``/api/v2/method/<m>``, ``/api/v2/method/<doctype>/<m>``,
  ``run_doc_method`` (v1 and v2) and the legacy ``cmd`` form parameter on any path (Frappe dispatches ``cmd``
  before it looks at the path): allowed only when ``allowlist.PORTAL_METHODS`` names the method;
- ``/api/resource``, ``/api/v2/document``, ``/api/v2/doctype/<dt>/count``: read-only, for customers (the portal
  role), only on ``allowlist.PORTAL_DOCTYPES`` and through the permission system, with checked parameters;
  document methods, writes, meta, copies and every other DocType are refused;
- ``/private/files/``, ``/printview``, ``/printpreview``, ``/backups``, and the document pages other apps add with
  ``website_route_rules`` (ERPNext's ``/invoices/<name>``, ``/orders/<name>``...): refused. The portal serves
  its documents only through its own pages and download endpoints, and those answers (404 for a missing
  document, 403 for another customer's) tell which names exist, i.e. count other customers' invoices.

The route is resolved with Frappe's own URL map (``frappe.api.API_URL_MAP``), so the gate sees what Frappe will
dispatch; a route it does not know is refused. Refusals are 403, bad parameters 400, with a short pt-BR message
and, for these users, never a traceback (``flags.disable_traceback``). Staff (System Users) pass untouched.
"""

from __future__ import annotations

import functools
import inspect
import json
import re
import types
import typing
from typing import NamedTuple

from werkzeug.exceptions import HTTPException

import frappe
import frappe.api
from frappe import _
from frappe.api import v1, v2

from fiber_onboarding.permissions import is_customer
from fiber_onboarding.security.allowlist import (
	COUNT_PARAMETERS,
	FILTER_OPERATORS,
	GUEST,
	LIST_PARAMETERS,
	MAX_PAGE_LENGTH,
	MAX_START,
	PORTAL_DOCTYPES,
	PORTAL_METHODS,
	REST_OPERATIONS,
)

APP = "fiber_onboarding"
PORTAL_LANG = "pt-BR"
METHOD, REST, DOC_METHOD, PATH, UNKNOWN = "method", "rest", "doc_method", "path", "unknown"
REFUSED_PATHS = ("/private/files/", "/printview", "/printpreview", "/backups")

REST_ENDPOINTS = {
	v1.document_list: "list",
	v2.document_list: "list",
	v1.read_doc: "read",
	v2.read_doc: "read",
	v2.count: "count",
	v2.get_meta: "meta",
	v2.copy_doc: "copy",
	v1.create_doc: "create",
	v2.create_doc: "create",
	v1.update_doc: "update",
	v2.update_doc: "update",
	v1.delete_doc: "delete",
	v2.delete_doc: "delete",
}
NAMED_ENDPOINTS = {v2.login: "login", v2.logout: "logout", frappe.ping: "ping", v2.upload_file: "upload_file"}
DOC_METHOD_ENDPOINTS = (v1.execute_doc_method, v2.execute_doc_method)
ORDER_BY = re.compile(r"^`?([A-Za-z0-9_]+)`?(?:\s+(?:asc|desc))?$", re.IGNORECASE)
SCALARS = (str, int, float, bool, type(None))


class PortalRequestError(frappe.ValidationError):
	"""A visitor's or customer's request with missing or malformed parameters."""

	http_status_code = 400


class Door(NamedTuple):
	kind: str  # METHOD, REST, DOC_METHOD, PATH or UNKNOWN
	name: str  # the method as requested, the DocType, or the path
	operation: str = ""  # REST: list, read, count, meta, copy, create, update, delete; DOC_METHOD: the method
	document: str = ""  # REST read: the document's name


# ---------------------------------------------------------------------------------------------------------------
# The hook
# ---------------------------------------------------------------------------------------------------------------
def is_staff_user(user: str | None) -> bool:
	return (
		bool(user) and user != "Guest" and frappe.get_cached_value("User", user, "user_type") == "System User"
	)


def check_request():
	"""``auth_hooks``: refuse what a Guest or a Website User may not reach (403 / 400, pt-BR, no traceback)."""
	request = getattr(frappe.local, "request", None)
	if request is None:
		return
	user = frappe.session.user or "Guest"
	if is_staff_user(user):
		return
	frappe.local.flags.disable_traceback = True
	if user == "Guest" and len((frappe.get_request_header("Authorization") or "").split(" ")) == 2:
		return  # a key/token that authenticated nobody: Frappe answers 401 right after the auth hooks
	door = door_of(request, frappe.local.form_dict)
	if door is not None:
		check_door(door, user, frappe.local.form_dict)


def door_of(request, form_dict) -> Door | None:
	"""What the request will run, as Frappe's ``app.application`` dispatches it (None: a page, nothing to gate)."""
	if request.method == "OPTIONS":
		return None
	cmd = form_dict.get("cmd") if isinstance(form_dict, dict) else None
	if cmd:
		return Door(METHOD, str(cmd))
	path = request.path
	if path.startswith(REFUSED_PATHS) or any(
		path == prefix or path.startswith(prefix + "/") for prefix in other_apps_document_routes()
	):
		return Door(PATH, path)
	if not path.startswith("/api/"):
		return None  # pages check their own permissions
	try:
		rule, args = frappe.api.API_URL_MAP.bind_to_environ(request.environ).match(return_rule=True)
	except HTTPException:
		return Door(UNKNOWN, path)
	return _endpoint_door(rule, args, form_dict)


def other_apps_document_routes() -> tuple[str, ...]:
	"""The first segment of every ``website_route_rules`` route of the installed apps other than Frappe (whose
	rules are its desk and public content) and this app (whose pages check their own credentials)."""
	return _route_prefixes(tuple(frappe.get_installed_apps()))


@functools.lru_cache(maxsize=8)
def _route_prefixes(apps: tuple[str, ...]) -> tuple[str, ...]:
	prefixes = set()
	for app in apps:
		if app in ("frappe", APP):
			continue
		for rule in frappe.get_hooks("website_route_rules", [], app_name=app) or []:
			first = rule.get("from_route", "").strip("/").split("/", 1)[0]
			if first and "<" not in first:
				prefixes.add(f"/{first}")
	return tuple(sorted(prefixes))


def _endpoint_door(rule, args: dict, form_dict) -> Door:
	endpoint = rule.endpoint
	if endpoint in (v1.handle_rpc_call, v2.handle_rpc_call):
		method = args["method"].split("/")[0] if endpoint is v1.handle_rpc_call else args["method"]
		if args.get("doctype"):
			return Door(METHOD, _doctype_method_name(args["doctype"], method))
		return Door(METHOD, method)
	if endpoint in NAMED_ENDPOINTS:
		return Door(METHOD, NAMED_ENDPOINTS[endpoint])
	if rule.rule.endswith("/method/run_doc_method"):
		return Door(METHOD, "run_doc_method")
	if endpoint in DOC_METHOD_ENDPOINTS:
		return Door(DOC_METHOD, args["doctype"], args.get("method") or str(form_dict.get("run_method")))
	if endpoint is v1.read_doc and "run_method" in form_dict:
		return Door(DOC_METHOD, args["doctype"], str(form_dict.get("run_method")))
	if endpoint in REST_ENDPOINTS:
		return Door(REST, args["doctype"], REST_ENDPOINTS[endpoint], args.get("name") or "")
	return Door(UNKNOWN, rule.rule)


def _doctype_method_name(doctype: str, method: str) -> str:
	"""``/api/v2/method/<doctype>/<method>`` runs ``<the DocType's controller module>.<method>``."""
	from frappe.modules.utils import load_doctype_module

	try:
		return f"{load_doctype_module(doctype).__name__}.{method}"
	except Exception:
		return f"{doctype}/{method}"


# ---------------------------------------------------------------------------------------------------------------
# Decisions
# ---------------------------------------------------------------------------------------------------------------
def check_door(door: Door, user: str, form_dict):
	if door.kind == METHOD:
		allowed = PORTAL_METHODS.get(door.name)
		if allowed is None or (allowed.audience != GUEST and not is_customer(user)):
			refuse()
		check_arguments(door.name, form_dict)
		return
	if (
		door.kind == REST
		and door.name in PORTAL_DOCTYPES
		and door.operation in REST_OPERATIONS
		and is_customer(user)
	):
		check_rest_request(door, form_dict)
		return
	refuse()


def refuse():
	frappe.local.lang = PORTAL_LANG
	frappe.throw(_("This is not available on the customer portal."), frappe.PermissionError)


def bad_request(parameter: str):
	frappe.local.lang = PORTAL_LANG
	frappe.throw(_("Invalid request parameter: {0}.").format(parameter), PortalRequestError)


def resolve(name: str):
	"""The function an allowed method name runs (after ``override_whitelisted_methods``), or None."""
	if "." not in name:
		return None
	try:
		return frappe.get_attr(frappe.override_whitelisted_method(name))
	except Exception:
		return None


def check_arguments(name: str, form_dict):
	"""Arguments the method cannot take are a 400, not the server error (500) they would cause inside it: a
	required argument that is missing, or a value of another type than the parameter's (a JSON body can send
	lists, objects and numbers where the method expects text)."""
	fn = resolve(name)
	if fn is None:
		return
	parameters = inspect.signature(fn).parameters
	named = {
		p.name: p
		for p in parameters.values()
		if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
	}
	for parameter in named.values():
		if parameter.default is inspect.Parameter.empty and form_dict.get(parameter.name) is None:
			bad_request(parameter.name)
	takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
	try:
		hints = typing.get_type_hints(fn)
	except Exception:
		hints = {}
	for key, value in form_dict.items():
		if key == "cmd" or (key not in named and not takes_any):
			continue  # Frappe does not pass it
		if not _fits(value, hints.get(key)):
			bad_request(key)


# text from a form can stand for these types (Frappe converts it); None is an absent value
_ACCEPTED = {str: (str,), int: (int, str), float: (float, int, str), bool: (bool, int, str), type(None): ()}


def _fits(value, annotation) -> bool:
	"""Whether ``value`` can be passed for a parameter annotated ``annotation`` (unannotated: text)."""
	if value is None:
		return True
	if annotation is None:
		return isinstance(value, str)
	members = (
		typing.get_args(annotation)
		if typing.get_origin(annotation) in (typing.Union, types.UnionType)
		else (annotation,)
	)
	accepted = []
	for member in members:
		if member not in _ACCEPTED:
			return True  # a list, tuple, dict...: Frappe's own validation decides
		accepted.extend(_ACCEPTED[member])
	return isinstance(value, tuple(accepted)) and not (isinstance(value, bool) and bool not in members)


def check_rest_request(door: Door, form_dict):
	if door.operation == "read":
		# the same 403 for a document that does not exist and for one of another customer
		if not frappe.get_list(door.name, filters={"name": door.document}, pluck="name", limit_page_length=1):
			refuse()
		return
	allowed = LIST_PARAMETERS if door.operation == "list" else COUNT_PARAMETERS
	for parameter in sorted(set(form_dict) - allowed):
		bad_request(parameter)
	columns = set(frappe.get_meta(door.name).get_valid_columns())
	fields = _json_parameter(form_dict, "fields")
	if fields is not None and not (
		isinstance(fields, list) and fields and all(f == "*" or f in columns for f in fields)
	):
		bad_request("fields")
	for key in ("filters", "or_filters"):
		value = _json_parameter(form_dict, key)
		if value is not None and not valid_filters(value, door.name, columns):
			bad_request(key)
	order_by = form_dict.get("order_by")
	if order_by is not None and not valid_order_by(order_by, columns):
		bad_request("order_by")
	for key, low, high in (
		("limit", 1, MAX_PAGE_LENGTH),
		("limit_page_length", 1, MAX_PAGE_LENGTH),
		("limit_start", 0, MAX_START),
		("start", 0, MAX_START),
	):
		if key in form_dict and not _int_between(form_dict[key], low, high):
			bad_request(key)
	if "as_dict" in form_dict and str(form_dict["as_dict"]).lower() not in ("0", "1", "true", "false"):
		bad_request("as_dict")


def _json_parameter(form_dict, key: str):
	value = form_dict.get(key)
	if isinstance(value, str):
		try:
			return json.loads(value)
		except ValueError:
			bad_request(key)
	return value


def _int_between(value, low: int, high: int) -> bool:
	if isinstance(value, bool):
		return False
	try:
		number = int(str(value).strip())
	except ValueError:
		return False
	return low <= number <= high


def _scalar_or_scalars(value) -> bool:
	if isinstance(value, list | tuple):
		return all(isinstance(v, SCALARS) for v in value)
	return isinstance(value, SCALARS)


def _condition(field, operator, value, columns: set) -> bool:
	if not (isinstance(field, str) and field in columns):
		return False
	if not (isinstance(operator, str) and operator.lower() in FILTER_OPERATORS):
		return False
	if operator.lower() == "is":
		return value in ("set", "not set")
	return _scalar_or_scalars(value)


def valid_filters(filters, doctype: str, columns: set) -> bool:
	"""Frappe's filter shapes, on the DocType's own columns only: ``{field: value | [op, value]}`` or
	``[[field, op, value] | [doctype, field, op, value], ...]``."""
	if isinstance(filters, dict):
		for field, value in filters.items():
			if isinstance(value, list | tuple):
				if len(value) != 2 or not _condition(field, value[0], value[1], columns):
					return False
			elif not (field in columns and isinstance(value, SCALARS)):
				return False
		return True
	if isinstance(filters, list):
		for condition in filters:
			if not isinstance(condition, list | tuple):
				return False
			if len(condition) == 4 and condition[0] == doctype:
				condition = condition[1:]
			if len(condition) != 3 or not _condition(*condition, columns):
				return False
		return True
	return False


def valid_order_by(order_by, columns: set) -> bool:
	if not isinstance(order_by, str):
		return False
	parts = [p.strip() for p in order_by.split(",")]
	return all((m := ORDER_BY.match(p)) and m.group(1) in columns for p in parts)
