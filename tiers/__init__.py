"""Support tiers: plans, subscriptions, the gate (plugged into resourcecenter.access), tickets,
SLA clocks, escalation and incidents. May import: kb, forum, search and resourcecenter."""
