"""Demo data for search: the domain synonyms, then a full reindex of the demo content.

Called last by `manage.py load_demo`; idempotent (synonyms are keyed by their text, the
reindex replaces the index).
"""

import io

from django.core.management import call_command

from search.models import Synonym

SYNONYMS = [
    ("APN, access point name", "What devices name to reach a data gateway."),
    ("SIM, ICCID, SIM card", "The card and its printed serial number."),
    ("SMS, text message, texts", ""),
    ("PDP context, data session, data connection, bearer", ""),
    ("LTE-M, Cat-M1, CAT-M, LTE Cat M1", ""),
    ("NB-IoT, narrowband, NB1, NB2", ""),
    ("eSIM, eUICC, embedded SIM", ""),
    ("IMSI, subscriber identity", ""),
    ("IMEI, device identity", ""),
    ("API key, token, credentials", ""),
    ("roaming, visited network", ""),
    ("attached, connected", "Customers say connected; the network says attached."),
    ("webhook, callback, event notification", ""),
    ("data usage, consumption, data volume", ""),
    ("activate, activation, provisioning", ""),
    ("suspend, deactivate, pause", ""),
    ("modem, module, cellular module", ""),
    ("iPhone, iOS", ""),
    ("Android phone, Android", ""),
    ("carrier, operator, mobile network operator, MNO", ""),
    ("invoice, bill, billing statement", ""),
    ("colleague, team member, coworker", "People in the customer's own organisation."),
    ("reboot, restart, power cycle", ""),
    ("firmware update, OTA, over the air update", ""),
    ("signal strength, RSSI, reception", ""),
    ("error, failure, fault", ""),
    ("delete, remove", ""),
    ("certificate, cert", ""),
    ("configuration, config, settings", ""),
]


def ensure_synonyms() -> int:
    created = 0
    for terms, notes in SYNONYMS:
        _, was_created = Synonym.objects.get_or_create(terms=terms, defaults={"notes": notes})
        created += was_created
    return created


def load(stdout, style) -> None:
    created = ensure_synonyms()
    out = io.StringIO()
    call_command("search_reindex", no_progress=True, stdout=out)
    stdout.write(
        style.SUCCESS(f"Search: {created} synonym group(s) added. {out.getvalue().strip()}")
    )
