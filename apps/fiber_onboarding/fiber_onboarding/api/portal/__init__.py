"""Customer portal endpoints (pt-BR pages in ``www/``), one module per page:

- ``access``: who may see what (the logged-in customer's case and its documents; unknown and foreign records get
  the same answer, so nothing can be enumerated) — every page and endpoint starts there;
- ``registration``: /cadastro (guest registration, invitation e-mail);
- ``cases``: /ativacoes and /ativacoes/<case> (the cases, the timeline, the next step);
- ``documents``: the documents of many cases read at once (the list and the case page: a fixed number of queries);
- ``downloads``: the case's PDFs behind /ativacoes/<case>, never a public file URL;
- ``case_actions``: /ativacoes/<case> actions (prior visit, test-phase confirmation or problem);
- ``project_approval``: /projeto/aprovar (the e-mail's signed link or the logged-in customer).

The whitelisted endpoints keep their public paths ``fiber_onboarding.api.portal.<name>`` (links in e-mails already
sent, the portal's scripts and the gate's allowlist name them), so they are re-exported here; code inside the app
imports from the module that holds the function.
"""

from fiber_onboarding.api.portal.access import (
	PortalError,
	case_documents,
	case_for,
	customer_case_for,
	is_customer,
	login_url,
	portal_lang,
)
from fiber_onboarding.api.portal.case_actions import confirm_service, report_problem, request_prior_visit
from fiber_onboarding.api.portal.cases import cases_of_user, next_step, timeline_facts, timeline_rows
from fiber_onboarding.api.portal.downloads import DOWNLOAD_KINDS, document_content, download, download_url
from fiber_onboarding.api.portal.project_approval import (
	PROJECT_PURPOSE,
	approve_project,
	download_project,
	project_download_url,
	project_for,
)
from fiber_onboarding.api.portal.registration import register, register_customer, send_invitation
from fiber_onboarding.permissions import customers_of

__all__ = [
	"DOWNLOAD_KINDS",
	"PROJECT_PURPOSE",
	"PortalError",
	"approve_project",
	"case_documents",
	"case_for",
	"cases_of_user",
	"confirm_service",
	"customer_case_for",
	"customers_of",
	"document_content",
	"download",
	"download_project",
	"download_url",
	"is_customer",
	"login_url",
	"next_step",
	"portal_lang",
	"project_download_url",
	"project_for",
	"register",
	"register_customer",
	"report_problem",
	"request_prior_visit",
	"send_invitation",
	"timeline_facts",
	"timeline_rows",
]
