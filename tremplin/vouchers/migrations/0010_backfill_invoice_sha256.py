"""Fill `Claim.invoice_sha256` for the claims sent before it was taken at upload (0009), so the fraud
flag "same invoice file" sees them too. A claim whose file is missing from storage keeps a blank hash."""

import hashlib

from django.db import migrations


def backfill(apps, schema_editor):
    Claim = apps.get_model("vouchers", "Claim")
    for claim in Claim.objects.filter(invoice_sha256="").exclude(invoice="").iterator():
        digest = hashlib.sha256()
        try:
            with claim.invoice.open("rb") as invoice:
                for chunk in invoice.chunks():
                    digest.update(chunk)
        except FileNotFoundError:
            continue
        Claim.objects.filter(pk=claim.pk).update(invoice_sha256=digest.hexdigest())


class Migration(migrations.Migration):
    dependencies = [
        ("vouchers", "0009_claim_invoice_sha256"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
