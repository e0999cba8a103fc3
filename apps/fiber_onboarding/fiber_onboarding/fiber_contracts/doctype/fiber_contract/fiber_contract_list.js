// Fiber Contract list: the workflow state keeps its indicator; the latest checker verdict gets its colour.
frappe.listview_settings["Fiber Contract"] = {
	add_fields: ["latest_decision", "workflow_state", "received_on"],
	formatters: {
		latest_decision(value) {
			if (!value) return "";
			const colour = { Accept: "green", Review: "orange", Reject: "red" }[value] || "gray";
			return `<span class="indicator-pill ${colour}">${frappe.utils.escape_html(__(value))}</span>`;
		},
	},
};
