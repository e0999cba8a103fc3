// Scheduled executions: each case on the execution date the technical contact chose.
frappe.views.calendar["Fiber Onboarding"] = {
	field_map: {
		start: "execution_date",
		end: "execution_date",
		id: "name",
		title: "company_name",
		allDay: "allDay",
		status: "stage",
	},
	style_map: {
		"Execution Scheduled": "info",
		"Internal Execution": "warning",
		"External Execution": "warning",
		"Test Phase": "danger",
		Active: "success",
	},
	filters: [
		{ fieldtype: "Select", fieldname: "stage", label: __("Stage"), options: [""].concat([
			"Awaiting Payment", "Project Drafting", "Awaiting Project Approval", "Execution Scheduled",
			"Internal Execution", "External Execution", "Test Phase", "Active", "Cancelled",
		]) },
		{ fieldtype: "Data", fieldname: "city", label: __("City") },
	],
	get_events_method: "frappe.desk.calendar.get_events",
};
