from django.db import migrations


def seed(apps, schema_editor):
    from tiers.plans.seed import DEFAULT_PLANS_FILE, load_file

    load_file(DEFAULT_PLANS_FILE, apps.get_model)


class Migration(migrations.Migration):
    dependencies = [("tiers", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
