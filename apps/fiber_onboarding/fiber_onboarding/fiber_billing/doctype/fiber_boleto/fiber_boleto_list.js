const FIBER_BOLETO_COLORS = {
	Draft: "gray",
	Submitted: "orange",
	Registered: "blue",
	Rejected: "red",
	Paid: "green",
	Cancelled: "darkgrey",
	Expired: "red",
};

frappe.listview_settings["Fiber Boleto"] = {
	add_fields: ["status", "due_date", "api_state"],
	has_indicator_for_draft: true,
	get_indicator(doc) {
		// online registration not done yet: staff see it is waiting for (or refused by) the bank
		if (doc.status === "Submitted" && ["Registering", "Waiting Retry", "Needs Attention"].includes(doc.api_state)) {
			const color = doc.api_state === "Needs Attention" ? "red" : "orange";
			return [__(doc.api_state), color, "api_state,=," + doc.api_state];
		}
		const color = FIBER_BOLETO_COLORS[doc.status] || "gray";
		return [__(doc.status), color, "status,=," + doc.status];
	},
};
