from django.db import migrations, models


def reminded_as_before(apps, schema_editor):
    """Messages reminded before this field existed keep what the sender was shown then
    ("reminded"): whether their e-mail went out is not known any more."""
    Message = apps.get_model("inbox", "Message")
    Message.objects.filter(reminded_at__isnull=False).update(reminder_sent=True)


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0005_mailbox_fillfactor"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="reminder_sent",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(reminded_as_before, migrations.RunPython.noop, elidable=True),
    ]
