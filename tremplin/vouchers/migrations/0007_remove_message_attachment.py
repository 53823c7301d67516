from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("vouchers", "0006_messageattachment"),
    ]

    operations = [
        migrations.RemoveField(model_name="message", name="attachment"),
    ]
