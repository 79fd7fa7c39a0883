"""The project core: settings, the User, roles and permissions (roles.py), the access interface
the apps ask through (access.py), client IP, e-mail and task helpers, the site shell.
May import: Django, Wagtail and libraries only; never search, kb, forum or tiers."""
