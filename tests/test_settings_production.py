"""Production settings read the environment and refuse to start when it is unsafe.

Each case runs Django in a subprocess with a controlled environment, exactly as a server would
start, because settings are evaluated once per process.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k3Jd9-vQ_x7LmN2pR8sT4wY6zA1bC5eF0gH3iJ7kL9mN2oP4qR6sT8uV0wX2yZ4aB6cD8"
GOOD_ENV = {
    "SECRET_KEY": GOOD_KEY,
    "ALLOWED_HOSTS": "support.example.com, www.support.example.com",
    "DATABASE_URL": "postgres://rc:pw@db.internal:5433/resourcecenter",
    "EMAIL_HOST": "smtp.example.net",
    "EMAIL_PORT": "2525",
    "EMAIL_HOST_USER": "mailer",
    "EMAIL_HOST_PASSWORD": "mail-pass",
    "DEFAULT_FROM_EMAIL": "IoT Support <help@support.example.com>",
}

REPORT = """
import json, django
django.setup()
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "DEBUG": s.DEBUG,
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "REQUIRE_STAFF_MFA": s.REQUIRE_STAFF_MFA,
    "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
    "CSRF_TRUSTED_ORIGINS": s.CSRF_TRUSTED_ORIGINS,
    "DB": [db["ENGINE"], str(db["NAME"]), db.get("HOST"), db.get("PORT"), db.get("USER")],
    "EMAIL": [s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD,
              s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.DEFAULT_FROM_EMAIL],
    "ACCOUNT_DEFAULT_HTTP_PROTOCOL": s.ACCOUNT_DEFAULT_HTTP_PROTOCOL,
    "CONTENT_SECURITY_POLICY": s.CONTENT_SECURITY_POLICY,
}))
"""


def run(code_or_args, env_overrides=None, drop=()):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "resourcecenter.settings.production",
        **GOOD_ENV,
        **(env_overrides or {}),
    }
    for name in drop:
        env.pop(name, None)
    args = code_or_args if isinstance(code_or_args, list) else ["-c", code_or_args]
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def settings_with(env_overrides=None, drop=()):
    result = run(REPORT, env_overrides, drop)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def refuses(env_overrides=None, drop=()) -> str:
    result = run("import django; django.setup()", env_overrides, drop)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    return result.stderr


def test_refuses_to_start_without_secret_key():
    assert "SECRET_KEY environment variable is required" in refuses(drop=["SECRET_KEY"])


def test_refuses_to_start_with_empty_secret_key():
    assert "SECRET_KEY" in refuses({"SECRET_KEY": "  "})


@pytest.mark.parametrize(
    "key",
    [
        "short-key",
        "dev-only-insecure-key-never-used-in-production",
        "django-insecure-" + "a1b2c3d4e5" * 5,
        "a" * 80,
        "changeme" + "Zx8Qw3Er7Ty1Ui5Op9As2Df6Gh0Jk4Lz" * 2,
    ],
)
def test_refuses_to_start_with_an_insecure_secret_key(key):
    assert "SECRET_KEY is insecure" in refuses({"SECRET_KEY": key})


def test_refuses_to_start_without_allowed_hosts():
    assert "ALLOWED_HOSTS" in refuses(drop=["ALLOWED_HOSTS"])
    assert "ALLOWED_HOSTS" in refuses({"ALLOWED_HOSTS": " , "})


def test_refuses_a_wildcard_host():
    assert "ALLOWED_HOSTS" in refuses({"ALLOWED_HOSTS": "*"})


def test_refuses_contradictory_email_encryption():
    assert "EMAIL_USE_TLS" in refuses({"EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"})


def test_refuses_a_malformed_number():
    assert "EMAIL_PORT" in refuses({"EMAIL_PORT": "twenty"})


def test_starts_secure_with_a_good_environment():
    s = settings_with()
    assert s["DEBUG"] is False
    assert s["SESSION_COOKIE_SECURE"] is True
    assert s["CSRF_COOKIE_SECURE"] is True
    assert s["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 365
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["REQUIRE_STAFF_MFA"] is True
    assert s["ACCOUNT_DEFAULT_HTTP_PROTOCOL"] == "https"
    assert s["ALLOWED_HOSTS"] == ["support.example.com", "www.support.example.com"]
    assert s["CSRF_TRUSTED_ORIGINS"] == [
        "https://support.example.com",
        "https://www.support.example.com",
    ]
    assert "script-src 'self'" in s["CONTENT_SECURITY_POLICY"]
    assert "'unsafe-inline'" not in s["CONTENT_SECURITY_POLICY"]


def test_database_url_is_parsed():
    engine, name, host, port, user = settings_with()["DB"]
    assert engine == "django.db.backends.postgresql"
    assert (name, host, port, user) == ("resourcecenter", "db.internal", 5433, "rc")


def test_sqlite_in_var_is_the_default_database():
    engine, name, *_ = settings_with(drop=["DATABASE_URL"])["DB"]
    assert engine == "django.db.backends.sqlite3"
    assert name.endswith("var/db.sqlite3")


def test_email_settings_are_read():
    assert settings_with()["EMAIL"] == [
        "smtp.example.net",
        2525,
        "mailer",
        "mail-pass",
        True,
        False,
        "IoT Support <help@support.example.com>",
    ]
    ssl = settings_with({"EMAIL_USE_SSL": "1", "EMAIL_PORT": "465"})["EMAIL"]
    assert ssl[1] == 465 and ssl[4] is False and ssl[5] is True


def test_check_deploy_passes():
    # security.W019 (X_FRAME_OPTIONS not DENY) is silenced in production.py on purpose: Wagtail's
    # preview frames the site on the same origin; CSP frame-ancestors 'self' blocks other sites.
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], drop=["DATABASE_URL"]
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.django_db
def test_public_and_account_pages_get_the_strict_csp(client, home_page):
    for path in ("/", "/accounts/login/", "/accounts/signup/"):
        policy = client.get(path)["Content-Security-Policy"]
        assert "script-src 'self';" in policy
        assert "style-src 'self';" in policy
        assert "'unsafe-inline'" not in policy
        assert "frame-ancestors 'self'" in policy


@pytest.mark.django_db
def test_admin_gets_its_own_policy(client, superuser):
    client.force_login(superuser)
    response = client.get("/admin/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "'unsafe-inline'" in policy  # Wagtail's admin needs inline scripts and styles
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'self'" in policy


def test_dev_settings_deliver_queued_mail_as_files(tmp_path):
    """Under `make run` (dev settings) tasks run at once and e-mail lands in files."""
    code = f"""
import django
django.setup()
from django.conf import settings
from pathlib import Path
assert settings.EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend"
assert Path(settings.EMAIL_FILE_PATH).parts[-2:] == ("var", "outbox")
settings.EMAIL_FILE_PATH = {str(tmp_path)!r}
from resourcecenter.emails import queue_email
queue_email(["newcomer@example.com"], "Confirm your e-mail address", "Open the link")
"""
    env = {
        "DJANGO_SETTINGS_MODULE": "resourcecenter.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = run(code, env)
    assert result.returncode == 0, result.stderr[-2000:]
    files = [f for f in tmp_path.iterdir() if f.suffix == ".log"]
    assert len(files) == 1
    content = files[0].read_text()
    assert "To: newcomer@example.com" in content
    assert "Subject: Confirm your e-mail address" in content
