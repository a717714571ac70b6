# Messages delivered before message states existed are sent, not pending; every message gets
# its recipient key (the rate-limit and digest key of its channel address).

import hashlib

from django.db import migrations


def forwards(apps, schema_editor):
    OutboxMessage = apps.get_model("notifications", "OutboxMessage")
    OutboxMessage.objects.filter(sent_at__isnull=False).update(state="sent")
    for message in OutboxMessage.objects.filter(recipient_key="").iterator():
        key = hashlib.sha256(f"{message.channel}:{message.target}".encode()).hexdigest()[:40]
        OutboxMessage.objects.filter(pk=message.pk).update(recipient_key=key)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_channels_endpoints_digests_acks"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
