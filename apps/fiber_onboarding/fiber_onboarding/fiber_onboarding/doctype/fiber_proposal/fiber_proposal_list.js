// Proposals: the workflow state, with the validity date turning red once it has passed.
const FO_PROPOSAL_COLORS = {
	Draft: "gray",
	Sent: "blue",
	Approved: "green",
	Registered: "green",
	Expired: "red",
	Lost: "darkgrey",
};

frappe.listview_settings["Fiber Proposal"] = {
	add_fields: ["workflow_state", "valid_until", "onboarding"],
	get_indicator(doc) {
		const state = doc.workflow_state || "Draft";
		return [__(state), FO_PROPOSAL_COLORS[state] || "gray", "workflow_state,=," + state];
	},
	formatters: {
		valid_until(value, df, doc) {
			if (!value) return "";
			const text = frappe.datetime.str_to_user(value);
			const open = ["Draft", "Sent", "Approved"].includes(doc.workflow_state);
			return open && value < frappe.datetime.get_today() ? `<span class="text-danger">${text}</span>` : text;
		},
	},
};
