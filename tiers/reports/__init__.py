"""Reports: an organisation's monthly case report (page, CSV, KPI e-mail), the staff dashboard
and the early warning of a rising symptom. Reads tickets, plans and incidents, and the forum's
threads and search's query log (tiers sits above them); nothing imports tiers.reports but the
tiers URLs, admin hooks and app start-up."""
