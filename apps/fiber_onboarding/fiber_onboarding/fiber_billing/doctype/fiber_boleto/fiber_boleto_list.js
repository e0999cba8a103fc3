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
	add_fields: ["status", "due_date"],
	has_indicator_for_draft: true,
	get_indicator(doc) {
		const color = FIBER_BOLETO_COLORS[doc.status] || "gray";
		return [__(doc.status), color, "status,=," + doc.status];
	},
};
