from django.db import migrations

SITE = {
    "fr": {
        "site_title": "Tremplin Numérique",
        "site_tagline": "Le chèque numérique des petites entreprises",
        "footer_description": (
            "Tremplin Numérique aide les petites entreprises à financer leurs projets numériques "
            "grâce au chèque numérique."
        ),
    },
    "en": {
        "site_title": "Tremplin Numérique",
        "site_tagline": "The digital voucher for small businesses",
        "footer_description": "Tremplin Numérique helps small businesses fund their digital projects with a voucher.",
    },
}


def create_site_config(apps, schema_editor):
    DsfrConfig = apps.get_model("dsfr", "DsfrConfig")
    for language, values in SITE.items():
        DsfrConfig.objects.update_or_create(
            language=language,
            defaults={
                **values,
                "header_brand": "République française",
                "header_brand_html": "République<br>française",
                "footer_brand": "République française",
                "footer_brand_html": "République<br>française",
                "accessibility_status": "NOT",
            },
        )


def remove_site_config(apps, schema_editor):
    apps.get_model("dsfr", "DsfrConfig").objects.filter(language__in=SITE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("dsfr", "0012_dsfrconfig_notice_description_and_more"),
    ]

    operations = [migrations.RunPython(create_site_config, remove_site_config)]
