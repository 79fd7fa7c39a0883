"""allauth's EmailAddress rows stay consistent with User.email outside allauth's own pages.

- `manage.py createsuperuser` gives the account a primary, verified address (the operator typed
  it on the server), so the first login goes straight in.
- Changing the address in Wagtail's Users screen makes the new address primary and UNVERIFIED
  (the owner must confirm it: a link goes out at once, and login asks for it), removes the old
  address from the account and tells it; an address used by another account is refused.
"""

from io import StringIO

from django.core import mail
from django.core.management import call_command

import pytest
from allauth.account.models import EmailAddress

from resourcecenter.models import User
from tests.accounts.conftest import PASSWORD, last_mail_to, links_in, path_of

pytestmark = pytest.mark.django_db


def rows(user):
    return sorted(
        EmailAddress.objects.filter(user=user).values_list("email", "primary", "verified")
    )


@pytest.fixture
def admin_client(client, superuser, django_capture_on_commit_callbacks):
    client.force_login(superuser)

    def post(url, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    client.post_delivering = post
    return client


def edit(admin_client, user, **changes):
    data = {
        "email": user.email,
        "display_name": user.display_name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": "on",
        **changes,
    }
    return admin_client.post_delivering(f"/admin/users/edit/{user.pk}/", data)


# --- createsuperuser ---------------------------------------------------------------------------


def test_createsuperuser_gets_a_verified_primary_address(client, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command(
        "createsuperuser", "--noinput", "--email", "Root.Admin@Example.com", stdout=StringIO()
    )
    user = User.objects.get(email="root.admin@example.com")
    assert user.is_superuser and user.is_staff
    assert rows(user) == [("root.admin@example.com", True, True)]
    # The first login goes straight in: no "confirm your e-mail" stop.
    response = client.post(
        "/accounts/login/", {"login": "root.admin@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(user.pk)


def test_create_user_is_left_to_allauths_signup():
    user = User.objects.create_user(email="plain@example.com", password=PASSWORD)
    assert rows(user) == []


# --- Wagtail's Users screen --------------------------------------------------------------------


def test_admin_change_makes_the_new_address_primary_and_unverified(admin_client, member):
    response = edit(admin_client, member, email="Morgan.New@Example.com")
    assert response.status_code == 302, response.content.decode()[-2000:]
    member.refresh_from_db()
    assert member.email == "morgan.new@example.com"
    assert rows(member) == [("morgan.new@example.com", True, False)]
    # The old address is told; the new one gets its confirmation link.
    notice = last_mail_to("member@example.com")
    assert "morgan.new@example.com" in notice.body
    confirmation = last_mail_to("morgan.new@example.com")
    link = next(u for u in links_in(confirmation) if "/accounts/confirm-email/" in u)
    # Until confirmed, logging in with the new address asks for confirmation ...
    admin_client.logout()
    response = admin_client.post(
        "/accounts/login/", {"login": "morgan.new@example.com", "password": PASSWORD}
    )
    assert "_auth_user_id" not in admin_client.session
    # ... and the old address no longer logs in at all.
    admin_client.post("/accounts/login/", {"login": "member@example.com", "password": PASSWORD})
    assert "_auth_user_id" not in admin_client.session
    # Confirming the link verifies the address.
    admin_client.post(path_of(link))
    assert rows(member) == [("morgan.new@example.com", True, True)]


def test_admin_cannot_take_another_accounts_login_address(admin_client, member, user_factory):
    riley = user_factory(email="riley@example.com", display_name="Riley")
    response = edit(admin_client, member, email="RILEY@example.com")
    assert response.status_code == 200
    assert "already used by another account (Riley)" in response.content.decode()
    member.refresh_from_db()
    assert member.email == "member@example.com"
    assert rows(member) == [("member@example.com", True, True)]
    assert rows(riley) == [("riley@example.com", True, True)]
    assert mail.outbox == []


@pytest.mark.parametrize("verified", [True, False])
def test_admin_cannot_take_an_address_another_account_added(
    admin_client, member, user_factory, verified
):
    riley = user_factory(email="riley@example.com", display_name="Riley")
    EmailAddress.objects.create(user=riley, email="shared@example.com", verified=verified)
    response = edit(admin_client, member, email="shared@example.com")
    assert response.status_code == 200
    assert "already used by another account" in response.content.decode()
    assert rows(member) == [("member@example.com", True, True)]


def test_admin_can_promote_the_accounts_own_verified_address(admin_client, member):
    EmailAddress.objects.create(user=member, email="work@example.com", verified=True)
    response = edit(admin_client, member, email="work@example.com")
    assert response.status_code == 302
    assert rows(member) == [("work@example.com", True, True)]
    assert not [m for m in mail.outbox if "work@example.com" in m.to]  # nothing to confirm
    assert last_mail_to("member@example.com")  # the replaced address is told


def test_saving_without_changing_the_address_changes_nothing(admin_client, member):
    response = edit(admin_client, member, first_name="Morgan", last_name="Lee")
    assert response.status_code == 302
    assert rows(member) == [("member@example.com", True, True)]
    assert mail.outbox == []


def test_admin_created_user_gets_an_unverified_primary_address(admin_client):
    response = admin_client.post_delivering(
        "/admin/users/new/",
        {
            "email": "Fresh@Example.com",
            "display_name": "Fresh Face",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    user = User.objects.get(email="fresh@example.com")
    assert user.display_name == "Fresh Face"
    assert rows(user) == [("fresh@example.com", True, False)]
    assert last_mail_to("fresh@example.com")


def test_admin_create_refuses_an_address_another_account_added(admin_client, member):
    EmailAddress.objects.create(user=member, email="spare@example.com", verified=False)
    response = admin_client.post_delivering(
        "/admin/users/new/",
        {
            "email": "spare@example.com",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )
    assert response.status_code == 200
    assert "already used by another account (Morgan)" in response.content.decode()
    assert not User.objects.filter(email="spare@example.com").exists()


# --- any other path (the shell) ----------------------------------------------------------------


def test_changing_user_email_elsewhere_updates_the_rows(member, user_factory):
    member.email = "elsewhere@example.com"
    member.save()
    assert rows(member) == [("elsewhere@example.com", True, False)]
    member.save(update_fields=["display_name"])  # unrelated saves do nothing
    assert rows(member) == [("elsewhere@example.com", True, False)]


def test_allauths_own_primary_switch_is_left_alone(client, member):
    EmailAddress.objects.create(user=member, email="second@example.com", verified=True)
    client.force_login(member)
    client.post("/accounts/email/", {"action_primary": "", "email": "second@example.com"})
    member.refresh_from_db()
    assert member.email == "second@example.com"
    assert rows(member) == [("member@example.com", False, True), ("second@example.com", True, True)]


def test_address_claimed_between_check_and_save_is_a_field_error(
    admin_client, member, user_factory
):
    from django.db.models.signals import pre_save

    riley = user_factory(email="riley@example.com", display_name="Riley")

    def claim(sender, instance, **kwargs):
        if instance.pk == member.pk and instance.email == "contested@example.com":
            EmailAddress.objects.get_or_create(user=riley, email="contested@example.com")

    pre_save.connect(claim, sender=User, dispatch_uid="claim", weak=False)
    try:
        response = edit(admin_client, member, email="contested@example.com")
    finally:
        pre_save.disconnect(sender=User, dispatch_uid="claim")
    assert response.status_code == 200
    assert "already used by another account (Riley)" in response.content.decode()
    member.refresh_from_db()
    assert member.email == "member@example.com"
    assert rows(member) == [("member@example.com", True, True)]
    assert mail.outbox == []
