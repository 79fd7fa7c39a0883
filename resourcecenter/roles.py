"""Who is support staff. One definition, used by every app.

Support staff are Django staff users or members of the "Support staff" group; moderators are
members of the "Moderators" group or support staff.
"""

SUPPORT_STAFF_GROUP = "Support staff"
MODERATORS_GROUP = "Moderators"
EDITORS_GROUP = "Editors"


def _group_names(user) -> set[str]:
    cache = getattr(user, "_group_names_cache", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True)) if user.pk else set()
        user._group_names_cache = cache
    return cache


def is_support_staff(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or user.is_staff or SUPPORT_STAFF_GROUP in _group_names(user)


def is_moderator(user) -> bool:
    if is_support_staff(user):
        return True
    return bool(getattr(user, "is_authenticated", False)) and MODERATORS_GROUP in _group_names(user)
