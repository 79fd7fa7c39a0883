"""Service problems (incidents): recording them, their updates and the proactive e-mails.
May import tiers.plans; never tiers.tickets directly."""
