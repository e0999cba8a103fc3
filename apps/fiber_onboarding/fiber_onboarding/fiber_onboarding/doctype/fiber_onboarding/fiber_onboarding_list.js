// Stage indicator (derived, read-only) with the SLA due date beside it.
const FO_STAGE_COLORS = {
	"Awaiting Payment": "orange",
	"Project Drafting": "yellow",
	"Awaiting Project Approval": "purple",
	"Execution Scheduled": "cyan",
	"Internal Execution": "blue",
	"External Execution": "blue",
	"Test Phase": "pink",
	Active: "green",
	Cancelled: "red",
};
const FO_SLA_COLORS = {
	"Not Started": "gray",
	"On Track": "green",
	"At Risk": "orange",
	Overdue: "red",
	Met: "green",
	Missed: "red",
};

frappe.listview_settings["Fiber Onboarding"] = {
	add_fields: ["stage", "sla_status", "sla_due", "cancelled", "company_name"],
	filters: [["cancelled", "=", 0]],
	get_indicator(doc) {
		if (doc.cancelled) {
			return [__("Cancelled"), "red", "cancelled,=,1"];
		}
		const stage = doc.stage || "Awaiting Payment";
		return [__(stage), FO_STAGE_COLORS[stage] || "gray", "stage,=," + stage];
	},
	formatters: {
		sla_status(value) {
			if (!value) return "";
			const color = FO_SLA_COLORS[value] || "gray";
			return `<span class="indicator-pill ${color} filterable" data-filter="sla_status,=,${value}">
				<span>${__(value)}</span></span>`;
		},
		sla_due(value, df, doc) {
			if (!value) return "";
			const text = frappe.datetime.str_to_user(value);
			const late = doc.sla_status === "Overdue" || doc.sla_status === "Missed";
			return late ? `<span class="text-danger">${text}</span>` : text;
		},
	},
};
