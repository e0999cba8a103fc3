frappe.listview_settings["Fiber Project"] = {
	add_fields: ["workflow_state", "execution_date"],
	has_indicator_for_draft: 1,
	get_indicator(doc) {
		const colors = {
			"Awaiting Payment": "orange",
			Drafting: "yellow",
			Sent: "blue",
			Approved: "green",
			"Internal Execution": "blue",
			"External Execution": "purple",
			Done: "green",
		};
		const state = doc.workflow_state || "Awaiting Payment";
		return [__(state), colors[state] || "gray", "workflow_state,=," + state];
	},
};
