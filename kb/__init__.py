"""The Resource Center: Wagtail page types, blocks, feedback, the docs importer; registers its
search provider. May import: search and resourcecenter (plan gating via resourcecenter.access)."""
