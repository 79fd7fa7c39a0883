"""Display names under truly concurrent profile saves (PostgreSQL, one connection per request).

Every request passes the form's check at about the same moment; the database constraint lets
exactly one of them through and the others get the field error, never a server error.
"""

import threading

from django.db import close_old_connections, connection
from django.test import Client

import pytest

from resourcecenter.models import User

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TAKEN = "That display name is taken; please choose another."


def test_simultaneous_profile_saves_of_one_name(on_postgres, user_factory):
    users = [
        user_factory(email=f"racer{i}@example.com", display_name=f"Racer {i}") for i in range(6)
    ]
    barrier = threading.Barrier(len(users))
    results, errors = [], []

    def save(user):
        try:
            client = Client()
            client.force_login(user)
            barrier.wait(timeout=30)
            response = client.post("/accounts/profile/", {"display_name": "Only One"})
            results.append((response.status_code, TAKEN in response.content.decode()))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    close_old_connections()
    assert errors == []
    assert sorted(results) == [(302, False)] + [(400, True)] * (len(users) - 1)
    assert User.objects.filter(display_name__iexact="only one").count() == 1
