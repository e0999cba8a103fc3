frappe.query_reports["Onboarding funnel and SLA"] = {
	filters: [
		{
			fieldname: "from_date",
			label: __("Registered From"),
			fieldtype: "Date",
			default: frappe.datetime.add_months(frappe.datetime.get_today(), -12),
		},
		{
			fieldname: "to_date",
			label: __("Registered To"),
			fieldtype: "Date",
			default: frappe.datetime.get_today(),
		},
		{
			fieldname: "state",
			label: __("State (UF)"),
			fieldtype: "Data",
		},
		{
			fieldname: "include_cancelled",
			label: __("Include Cancelled"),
			fieldtype: "Check",
			default: 0,
		},
	],
	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (!data) return value;
		if (column.fieldname === "overdue" && data.overdue > 0) {
			return `<span class="text-danger">${value}</span>`;
		}
		if (column.fieldname === "at_risk" && data.at_risk > 0) {
			return `<span class="text-warning">${value}</span>`;
		}
		return value;
	},
};
