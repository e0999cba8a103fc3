"""The project part of the process, from registration to the implementation report, one room per step.

create_project (registration) → confirm_payment (setup fee paid) → send_project (first business day after the
payment, e-mail to the technical contact with a signed approval link) → approve_project (the technical contact
chooses the execution date on the portal) → [request_prior_visit → send_photo_report] → internal survey and
register_internal_passage (the SLA starts) → start_external_execution → send_implementation_report (PDF to the
customer; the circuit's 48 h test phase starts).

Rooms: ``creation`` (registration, release at payment), ``approval`` (step 6: sending and approval), ``visits``
(steps 7 and 8: prior visit and photo report, internal survey), ``execution`` (steps 9 to 11: internal passage,
external execution, implementation report), ``form_guide`` (the form's next step and what blocks it). The test phase
and the activation are the circuit's (``fiber_field.circuit_service``).

Every function takes the document (or its name), checks the step's own preconditions with a clear message, and
moves the workflow through ``common.move`` (so the process gates of the Workflow still apply). Callers check the
user's permission first (see ``fiber_field.api``). No step writes the case: it listens (``case_events``).

This package's names below are its public surface (the portal's endpoints call them); inside the app, import from
the room that holds the function.
"""

from fiber_onboarding.fiber_field.common import FieldFlowError
from fiber_onboarding.fiber_field.project_service.approval import (
	ExecutionDateError,
	ProjectNotDueError,
	allowed_execution_dates,
	approve_project,
	is_due,
	project_send_date,
	send_project,
)
from fiber_onboarding.fiber_field.project_service.creation import confirm_payment, create_project
from fiber_onboarding.fiber_field.project_service.execution import (
	InternalSurveyMissingError,
	OpenTasksError,
	implementation_report_problems,
	register_internal_passage,
	send_implementation_report,
	start_external_execution,
)
from fiber_onboarding.fiber_field.project_service.form_guide import next_step
from fiber_onboarding.fiber_field.project_service.visits import (
	photo_report_problems,
	request_prior_visit,
	schedule_internal_survey,
	send_photo_report,
)
