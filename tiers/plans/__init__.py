"""Plans and who is on them: organisations, members, plans as data, subscriptions, billing,
business calendars. Imports nothing directly from tiers.tickets or
tiers.incidents."""
