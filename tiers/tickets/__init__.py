"""Tickets: opening, replies, the status table (lifecycle), SLA timers, escalation, quotes,
inbound e-mail and forum-thread promotion.
May import tiers.plans; never tiers.incidents directly."""
