"""The Community forum: categories, threads, posts, moderation, trust, notifications; registers its
search provider. May import: search and resourcecenter; never kb (kb and forum are independent)."""
