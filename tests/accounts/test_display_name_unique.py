"""Display names are unique ignoring case in the DATABASE, and every write path answers a
uniqueness race (IntegrityError) with a clear field error instead of a server error.

Races are reproduced for real: a pre_save receiver (test code) commits the conflicting name
into the same database right before the view's own save, i.e. after the form's check passed.
"""

from contextlib import contextmanager

from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import pre_save

import pytest

from resourcecenter.demo import DemoUserConflict, ensure_user
from resourcecenter.forms import ProfileForm
from resourcecenter.models import DISPLAY_NAME_CONSTRAINT, User
from resourcecenter.services import save_or_field_error
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TAKEN = "That display name is taken; please choose another."


@contextmanager
def name_taken_just_before_save(name: str, email: str = "racer@example.com"):
    """Another account takes `name` right before the next save of a user to `name`."""
    fired = []

    def receiver(sender, instance, **kwargs):
        if (
            fired
            or instance.email == email
            or (instance.display_name or "").lower() != name.lower()
        ):
            return
        fired.append(instance.email)
        User.objects.create_user(email=email, password=PASSWORD, display_name=name)

    pre_save.connect(receiver, sender=User, dispatch_uid="race", weak=False)
    try:
        yield fired
    finally:
        pre_save.disconnect(sender=User, dispatch_uid="race")


# --- the constraint ----------------------------------------------------------------------------


def test_the_database_refuses_a_name_that_differs_only_by_case(user_factory):
    user_factory(display_name="APN Guru")
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        User.objects.create_user(email="b@example.com", display_name="apn GURU")
    assert DISPLAY_NAME_CONSTRAINT in str(excinfo.value) or "display_name" in str(excinfo.value)


def test_empty_names_may_repeat(user_factory):
    for i in range(3):
        user_factory(email=f"e{i}@example.com", display_name="")
    assert User.objects.filter(display_name="").count() == 3


def test_the_check_matches_the_constraint(user_factory):
    user = user_factory(display_name="Modem Whisperer")
    assert User.objects.display_name_taken("MODEM whisperer")
    assert not User.objects.display_name_taken("MODEM whisperer", exclude_pk=user.pk)
    assert not User.objects.display_name_taken("")


def test_model_validation_reports_the_constraint(user_factory):
    user_factory(display_name="Ana")
    other = User(email="x@example.com", display_name="ANA")
    with pytest.raises(Exception) as excinfo:
        other.validate_constraints()
    assert TAKEN in str(excinfo.value)


# --- the data migration --------------------------------------------------------------------------


def _drop_constraint():
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {connection.ops.quote_name(DISPLAY_NAME_CONSTRAINT)}")


def _add_constraint():
    constraint = next(c for c in User._meta.constraints if c.name == DISPLAY_NAME_CONSTRAINT)
    with connection.cursor() as cursor:
        cursor.execute(str(constraint.create_sql(User, connection.schema_editor())))


def test_migration_resolves_duplicates_deterministically(user_factory):
    """0003 renames all but the earliest account of each case-insensitive group, so that 0004
    can add the constraint; nothing else changes."""
    from datetime import timedelta
    from importlib import import_module

    from django.apps import apps
    from django.utils import timezone

    migration = import_module("resourcecenter.migrations.0003_resolve_duplicate_display_names")
    _drop_constraint()
    now = timezone.now()
    specs = [
        ("late@example.com", "Ana", 3),
        ("first@example.com", "ana", 1),
        ("mid@example.com", "ANA", 2),
        ("taken@example.com", "Ana 2", 4),  # the first free suffix is then 3
        ("long@example.com", "L" * 40, 1),
        ("long2@example.com", "l" * 40, 2),
        ("empty1@example.com", "", 1),
        ("empty2@example.com", "", 2),
        ("solo@example.com", "Solo", 1),
    ]
    for email, name, days in specs:
        user = User.objects.create_user(email=email, display_name=name)
        User.objects.filter(pk=user.pk).update(date_joined=now - timedelta(days=10 - days))
    migration.resolve_duplicates(apps, None)
    names = dict(User.objects.values_list("email", "display_name"))
    assert names["first@example.com"] == "ana"  # joined first: keeps the name
    assert names["mid@example.com"] == "ANA 3"
    assert names["late@example.com"] == "Ana 4"
    assert names["taken@example.com"] == "Ana 2"
    assert names["long@example.com"] == "L" * 40
    assert names["long2@example.com"] == "l" * 38 + " 2"
    assert names["empty1@example.com"] == names["empty2@example.com"] == ""
    assert names["solo@example.com"] == "Solo"
    _add_constraint()  # would fail if any duplicate were left
    migration.resolve_duplicates(apps, None)  # idempotent
    assert dict(User.objects.values_list("email", "display_name")) == names


# --- every write path answers a race with a field error -----------------------------------------


def test_profile_race_is_a_field_error(client, member):
    client.force_login(member)
    with name_taken_just_before_save("Modem Whisperer") as fired:
        response = client.post("/accounts/profile/", {"display_name": "Modem Whisperer"})
    assert fired
    assert response.status_code == 400
    assert TAKEN in response.content.decode()
    member.refresh_from_db()
    assert member.display_name == "Morgan"


def test_save_or_field_error_rolls_back_and_explains(member):
    form = ProfileForm({"display_name": "Fresh Name"}, instance=member)
    assert form.is_valid()
    User.objects.create_user(email="quick@example.com", display_name="fresh name")
    assert save_or_field_error(form, form.save) is None
    assert form.errors["display_name"] == [TAKEN]
    assert User.objects.get(pk=member.pk).display_name == "Morgan"


def test_signup_race_is_a_field_error(client, django_capture_on_commit_callbacks):
    data = {
        "email": "newcomer@example.com",
        "password1": "a-long-unusual-passphrase",
        "password2": "a-long-unusual-passphrase",
        "display_name": "Field Engineer",
    }
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        name_taken_just_before_save("Field Engineer") as fired,
    ):
        response = client.post("/accounts/signup/", data)
    assert fired
    assert response.status_code == 200
    assert TAKEN in response.content.decode()
    assert not User.objects.filter(email="newcomer@example.com").exists()  # nothing half-made
    # No verification e-mail for the rolled-back account: the only callback left is the forum
    # cache's generation bump (forum.cache), which is harmless after a rollback.
    assert [c for c in callbacks if c.__module__ != "forum.cache"] == []
    # Choosing another name then works.
    data["display_name"] = "Field Engineer Two"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", data)
    assert response.status_code == 302
    assert User.objects.get(email="newcomer@example.com").display_name == "Field Engineer Two"


def test_signup_form_check_still_answers_first(client, user_factory):
    user_factory(display_name="Taken Name")
    response = client.post(
        "/accounts/signup/",
        {
            "email": "n2@example.com",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
            "display_name": "taken name",
        },
    )
    assert response.status_code == 200
    assert TAKEN in response.content.decode()


def test_admin_edit_race_is_a_field_error(client, superuser, member):
    client.force_login(superuser)
    url = f"/admin/users/edit/{member.pk}/"
    data = {"email": member.email, "display_name": "Renamed By Staff", "is_active": "on"}
    with name_taken_just_before_save("Renamed By Staff") as fired:
        response = client.post(url, data)
    assert fired
    assert response.status_code == 200
    assert TAKEN in response.content.decode()
    member.refresh_from_db()
    assert member.display_name == "Morgan"


def test_admin_edit_refuses_a_taken_name(client, superuser, member, user_factory):
    user_factory(display_name="Riley")
    client.force_login(superuser)
    response = client.post(
        f"/admin/users/edit/{member.pk}/",
        {"email": member.email, "display_name": "RILEY", "is_active": "on"},
    )
    assert response.status_code == 200
    assert TAKEN in response.content.decode()


def test_admin_can_rename_and_names_are_optional(client, superuser, member):
    client.force_login(superuser)
    page = client.get(f"/admin/users/edit/{member.pk}/").content.decode()
    assert 'name="display_name"' in page and 'value="Morgan"' in page
    response = client.post(
        f"/admin/users/edit/{member.pk}/",
        {"email": member.email, "display_name": " Modem  Whisperer ", "is_active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    member.refresh_from_db()
    assert member.display_name == "Modem Whisperer"
    assert (member.first_name, member.last_name) == ("", "")


def test_demo_loader_explains_a_taken_name(user_factory):
    user_factory(email="someone@example.com", display_name="morgan")
    with pytest.raises(DemoUserConflict) as excinfo:
        ensure_user("member@example.com", "Morgan")
    assert "display name “Morgan” is already used by another account" in str(excinfo.value)
    assert not User.objects.filter(email="member@example.com").exists()


def test_load_demo_prints_the_conflict_instead_of_a_traceback(user_factory, home_page):
    from django.core.management.base import CommandError

    user_factory(email="someone@example.com", display_name="SITE ADMIN")
    with pytest.raises(CommandError, match="admin@example.com"):
        call_command("load_demo")


def test_demo_loader_keeps_existing_demo_users(user_factory):
    first = ensure_user("member@example.com", "Morgan")
    again = ensure_user("member@example.com", "Morgan")
    assert first.pk == again.pk
