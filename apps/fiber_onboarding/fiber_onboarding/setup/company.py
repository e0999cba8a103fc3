"""The Brazilian company the app bills from: ERPNext setup, fiscal years, collection bank account, setup-fee item.

``ensure_brazil_company`` is idempotent: it creates what is missing and never changes what staff configured.
On a site whose ERPNext setup wizard has not run, it runs the wizard's server-side stages with Brazilian values
(country Brazil, currency BRL, time zone America/Sao_Paulo, chart "Standard"). ERPNext's fixtures (Item Group
"Services", UOM "Nos", Customer Group and Territory trees) are installed in English so that other code and tests
can name them; the site's default language for portal visitors becomes pt-BR afterwards.
"""

import frappe
from frappe.utils import getdate, nowdate
from frappe.utils.nestedset import get_root_of

DEFAULT_COMPANY = "Fibra Demo Telecom Ltda"
DEFAULT_ABBR = "FDT"
COUNTRY = "Brazil"
CURRENCY = "BRL"
TIME_ZONE = "America/Sao_Paulo"
CHART = "Standard"
SITE_LANGUAGE = "pt-BR"

COLLECTION_ACCOUNT_NAME = "Banco do Brasil Cobrança"
SETUP_ITEM = "SETUP-FIBRA"
SETUP_ITEM_NAME = "Taxa de ativação (setup)"
SERVICES_GROUP = "Services"
TERRITORY = "Brasil"
CUSTOMER_GROUP = "Commercial"


def ensure_brazil_company(company_name: str = DEFAULT_COMPANY, abbr: str = DEFAULT_ABBR) -> str:
	"""Make sure ``company_name`` exists and can invoice the setup fee; returns the company name."""
	if not frappe.db.exists("Company", company_name):
		if not frappe.is_setup_complete() and not frappe.db.a_row_exists("Company"):
			_run_setup_wizard(company_name, abbr)
		if not frappe.db.exists("Company", company_name):
			_create_company(company_name, abbr)

	ensure_fiscal_years(company_name)
	ensure_collection_account(company_name)
	ensure_setup_item(company_name)
	ensure_party_defaults()
	if not frappe.db.get_single_value("Global Defaults", "default_company"):
		frappe.db.set_single_value("Global Defaults", "default_company", company_name)
		frappe.db.set_default("company", company_name)
	return company_name


def _run_setup_wizard(company_name: str, abbr: str):
	"""The setup wizard's server-side stages (what a person would fill in), for a Brazilian ISP."""
	from frappe.desk.page.setup_wizard.setup_wizard import setup_complete

	year = getdate(nowdate()).year
	setup_complete(
		{
			"language": "English",
			"country": COUNTRY,
			"currency": CURRENCY,
			"timezone": TIME_ZONE,
			"company_name": company_name,
			"company_abbr": abbr,
			"chart_of_accounts": CHART,
			"fy_start_date": f"{year}-01-01",
			"fy_end_date": f"{year}-12-31",
			"company_tagline": "Fibra dedicada para empresas",
		}
	)
	use_site_language()  # the wizard ran in English only to name the records
	frappe.clear_cache()


def use_site_language():
	"""pt-BR for portal visitors, new users, staff and Administrator: a Brazilian ISP's desk starts in pt-BR."""
	if frappe.db.exists("Language", SITE_LANGUAGE):
		frappe.db.set_single_value("System Settings", "language", SITE_LANGUAGE)
		frappe.db.set_default("lang", SITE_LANGUAGE)
		frappe.db.set_value("User", "Administrator", "language", SITE_LANGUAGE)


def _create_company(company_name: str, abbr: str):
	"""Setup is complete but our company is missing (the site has another one): create it with its chart."""
	company = frappe.get_doc(
		{
			"doctype": "Company",
			"company_name": company_name,
			"abbr": abbr,
			"default_currency": CURRENCY,
			"country": COUNTRY,
			"create_chart_of_accounts_based_on": "Standard Template",
			"chart_of_accounts": CHART,
		}
	)
	company.insert(ignore_permissions=True)


def _fiscal_year_covering(date, company: str) -> str | None:
	fy = frappe.qb.DocType("Fiscal Year")
	fyc = frappe.qb.DocType("Fiscal Year Company")
	candidates = (
		frappe.qb.from_(fy)
		.select(fy.name)
		.where((fy.disabled == 0) & (fy.year_start_date <= date) & (fy.year_end_date >= date))
		.run(pluck=True)
	)
	for name in candidates:
		companies = (
			frappe.qb.from_(fyc).select(fyc.company).where(fyc.parent == name).run(pluck=True)
		)  # empty = every company
		if not companies or company in companies:
			return name
	return None


def ensure_fiscal_years(company: str):
	"""Calendar-year fiscal years from last year to next year (Brazil's fiscal year is the calendar year)."""
	this_year = getdate(nowdate()).year
	created = False
	for year in (this_year - 1, this_year, this_year + 1):
		if _fiscal_year_covering(getdate(f"{year}-07-01"), company):
			continue
		name = str(year)
		if frappe.db.exists("Fiscal Year", name):
			name = f"{year} ({company})"
		doc = frappe.get_doc(
			{
				"doctype": "Fiscal Year",
				"year": name,
				"year_start_date": f"{year}-01-01",
				"year_end_date": f"{year}-12-31",
			}
		)
		# a site that already has fiscal years for other companies gets one scoped to ours
		if frappe.db.a_row_exists("Fiscal Year Company"):
			doc.append("companies", {"company": company})
		doc.insert(ignore_permissions=True)
		created = True
	if created:
		frappe.cache.delete_value("fiscal_years")


def collection_account_name(company: str) -> str:
	abbr = frappe.get_cached_value("Company", company, "abbr")
	return f"{COLLECTION_ACCOUNT_NAME} - {abbr}"


def ensure_collection_account(company: str) -> str:
	"""The GL bank account that receives boleto collections, under the company's "Bank Accounts" group."""
	name = collection_account_name(company)
	if frappe.db.exists("Account", name):
		return name
	parent = frappe.db.get_value(
		"Account",
		{"company": company, "account_type": "Bank", "is_group": 1, "root_type": "Asset"},
		"name",
	)
	account = frappe.get_doc(
		{
			"doctype": "Account",
			"account_name": COLLECTION_ACCOUNT_NAME,
			"company": company,
			"parent_account": parent,
			"is_group": 0,
			"account_type": "Bank",
			"account_currency": frappe.get_cached_value("Company", company, "default_currency"),
		}
	)
	account.insert(ignore_permissions=True)
	return account.name


def ensure_setup_item(company: str) -> str:
	"""The non-stock service item invoiced as the setup (activation) fee."""
	if frappe.db.exists("Item", SETUP_ITEM):
		return SETUP_ITEM
	item_group = (
		SERVICES_GROUP if frappe.db.exists("Item Group", SERVICES_GROUP) else get_root_of("Item Group")
	)
	uom = "Nos" if frappe.db.exists("UOM", "Nos") else frappe.db.get_value("UOM", {"enabled": 1}, "name")
	item = frappe.get_doc(
		{
			"doctype": "Item",
			"item_code": SETUP_ITEM,
			"item_name": SETUP_ITEM_NAME,
			"description": SETUP_ITEM_NAME,
			"item_group": item_group,
			"stock_uom": uom,
			"is_stock_item": 0,
			"is_sales_item": 1,
			"is_purchase_item": 0,
			"include_item_in_manufacturing": 0,
			"item_defaults": [
				{
					"company": company,
					"income_account": frappe.get_cached_value("Company", company, "default_income_account"),
					# ERPNext fills an empty default with Stock Settings' warehouse, which may be another company's
					"default_warehouse": _company_warehouse(company),
				}
			],
		}
	)
	item.insert(ignore_permissions=True)
	return item.name


def _company_warehouse(company: str) -> str | None:
	abbr = frappe.get_cached_value("Company", company, "abbr")
	stores = f"Stores - {abbr}"
	if frappe.db.exists("Warehouse", stores):
		return stores
	return frappe.db.get_value("Warehouse", {"company": company, "is_group": 0}, "name")


def ensure_party_defaults():
	"""A leaf Territory "Brasil" and a leaf Customer Group as the Selling Settings defaults for new customers."""
	root_territory = get_root_of("Territory")
	if not frappe.db.exists("Territory", TERRITORY):
		frappe.get_doc(
			{
				"doctype": "Territory",
				"territory_name": TERRITORY,
				"parent_territory": root_territory,
				"is_group": 0,
			}
		).insert(ignore_permissions=True)
	customer_group = CUSTOMER_GROUP
	if not frappe.db.exists("Customer Group", customer_group):
		frappe.get_doc(
			{
				"doctype": "Customer Group",
				"customer_group_name": customer_group,
				"parent_customer_group": get_root_of("Customer Group"),
				"is_group": 0,
			}
		).insert(ignore_permissions=True)

	selling = frappe.get_single("Selling Settings")
	root_group = get_root_of("Customer Group")
	values = {}
	if not selling.territory or selling.territory == root_territory:
		values["territory"] = TERRITORY
	if not selling.customer_group or selling.customer_group == root_group:
		values["customer_group"] = customer_group
	if values:
		frappe.db.set_single_value("Selling Settings", values)
		for key, value in values.items():
			frappe.db.set_default(key, value)
