"""Outgoing e-mail goes through the task queue, so a slow mail server never slows a request.

`queue_email` is the one way the apps send mail; `queue_templated_email` renders a message from
a template pair (`<name>.txt`, and `<name>.html` when it exists) and queues it the same way;
`render_subject` reads a subject from `<name>_subject.txt`.
Under `make run` and in tests the task runs immediately (in tests, messages land in
`django.core.mail.outbox`); in production the `db_worker` sends them.
"""

from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from django_tasks import task

from resourcecenter.taskqueue import enqueue_with_change


@task()
def send_email_task(
    to: list[str],
    subject: str,
    text: str,
    html: str | None = None,
    headers: dict[str, str] | None = None,
    from_email: str | None = None,
    reply_to: list[str] | None = None,
) -> None:
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=from_email,
        to=to,
        headers=headers or {},
        reply_to=reply_to,
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


def queue_email(
    to: list[str],
    subject: str,
    text: str,
    html: str | None = None,
    headers: dict[str, str] | None = None,
    from_email: str | None = None,
    reply_to: list[str] | None = None,
) -> None:
    """Send an e-mail once the current transaction commits (never for a rolled-back change;
    with the database queue the task row is part of that transaction, so none is lost)."""
    # Subjects must be one line: a newline would let user content inject headers.
    subject = " ".join(subject.splitlines()).strip()
    enqueue_with_change(
        send_email_task,
        to=list(to),
        subject=subject,
        text=text,
        html=html,
        headers=headers,
        from_email=from_email,
        reply_to=reply_to,
    )


def render_email(template_base: str, context: dict) -> tuple[str, str | None]:
    """(text, html) of the e-mail `template_base` ("forum/emails/digest"): the .txt template is
    required, the .html one optional (None when there is none)."""
    text = render_to_string(f"{template_base}.txt", context)
    try:
        html = render_to_string(f"{template_base}.html", context)
    except TemplateDoesNotExist:
        html = None
    return text, html


def render_subject(template_base: str, context: dict) -> str:
    """The one-line subject of the e-mail `template_base`, from `<template_base>_subject.txt`."""
    return " ".join(render_to_string(f"{template_base}_subject.txt", context).splitlines()).strip()


def render_text(template_base: str, context: dict) -> str:
    """The plain-text body of `template_base` (render_email) without the file's final newline."""
    return render_email(template_base, context)[0].removesuffix("\n")


def queue_templated_email(
    to: list[str],
    subject: str,
    template_base: str,
    context: dict,
    *,
    headers: dict[str, str] | None = None,
    reply_to: list[str] | None = None,
) -> None:
    """Render `template_base` (see render_email) with `context` and queue it (queue_email)."""
    text, html = render_email(template_base, context)
    queue_email(to, subject, text, html=html, headers=headers, reply_to=reply_to)
