"""English columns for the recommendation rules, filled for the default rules left as they were."""

from importlib import import_module

from django.db import migrations, models

DEFAULT = import_module("tremplin.diagnostics.migrations.0002_default_rules").RULES

# (title, text) in English, in the order of the default rules.
ENGLISH_RULES = [
    (
        "Review your digital strategy with an advisor",
        "Before buying tools, spend half a day with an advisor to spot what costs you time or customers. You "
        "leave with two or three priorities and a budget. For example: answer quote requests better before "
        "redoing the website.",
    ),
    (
        "Back up your data outside your premises",
        "A breakdown, a theft or a virus can wipe out your invoices and your customer file. Set up an automatic "
        "online backup, or a disk you take away every week.",
    ),
    (
        "Be found on the internet",
        "Most customers search the internet before coming. A simple website, with your opening hours, your "
        "prices and a way to contact you, is enough to start. Think also of your listing on online maps.",
    ),
    (
        "Switch to management software",
        "Till or invoicing software avoids copying by hand and forgetting. Electronic invoices are becoming "
        "compulsory between businesses: now is the right time to get equipped.",
    ),
    (
        "Learn to recognise online scams",
        "Most hacks start with a fake email. A short training teaches the team to spot a fake message from "
        "the bank or a supplier.",
    ),
    (
        "Train the team in digital skills",
        "A tool is only useful if the team knows how to use it. Plan a short training on the tools you already "
        "use, then on those you are going to install.",
    ),
    (
        "List what digital tools can improve in your business",
        "For a week, write down the tasks that take too long or lose customers. This list will be your "
        "starting point with an advisor or a provider.",
    ),
    (
        "Update your devices and software",
        "Updates fix flaws that hackers know about. Turn on automatic updates on computers, phones and "
        "software.",
    ),
    (
        "Keep your information in a digital tool",
        "A customer file and sales tracking on a computer save you time and help you decide. For example: "
        "contact again the customers who have not come back for six months.",
    ),
    (
        "Equip the business with the basic tools",
        "A few simple tools already change daily life: a website, invoicing software, a shared calendar. Start "
        "with the one that solves your biggest problem.",
    ),
    (
        "Sell or take bookings online",
        "Your customers can order, book or pay at any time. For example: online appointment booking, a shop "
        "on your website or on a marketplace.",
    ),
    (
        "Protect the business against IT risks",
        "Have a specialist check your protections: passwords, backups, antivirus, access. They tell you what "
        "to fix first.",
    ),
    (
        "Improve your internet connection",
        "A slow connection wastes time every day. Check whether fibre is available at your address, or a "
        "business 4G/5G plan.",
    ),
    (
        "Switch to electronic invoices",
        "Less paper, faster payments, and you will be ready for compulsory electronic invoicing. Most invoicing "
        "software does it.",
    ),
    (
        "Make the business known online",
        "A social media page and a regular newsletter keep in touch with your customers. For example: announce "
        "something new or a special offer.",
    ),
    (
        "Connect your tools together",
        "When the till, invoicing and accounting talk to each other, you no longer copy anything by hand. Ask "
        "your provider which tools connect with each other.",
    ),
    (
        "Plan a budget for digital tools",
        "Even a modest yearly budget lets you move forward step by step. The digital voucher can fund part of "
        "it.",
    ),
    (
        "Automate a repetitive task",
        "Choose a task you do every week, such as invoice reminders or appointment reminders, and let software "
        "do it.",
    ),
    (
        "Get training funded",
        "Your skills operator (OPCO) can pay for part of your employees' training. Ask it for the list of "
        "digital training courses it covers.",
    ),
    (
        "Try an assistant that answers frequent questions",
        "An assistant on your website can answer simple questions (opening hours, prices, lead times) at any "
        "time. Start with the ten questions you are asked most.",
    ),
    (
        "Reduce the business's digital footprint",
        "Make your devices last, switch them off at night and delete useless files: it is good for the "
        "environment and for your spending.",
    ),
    (
        "Have devices repaired rather than buying new ones",
        "A repaired or refurbished computer or phone costs less and pollutes less than a new one.",
    ),
]
ENGLISH = {(rule[0], rule[1]): english for rule, english in zip(DEFAULT, ENGLISH_RULES, strict=True)}


def fill_english(apps, schema_editor):
    Rule = apps.get_model("diagnostics", "RecommendationRule")
    for rule in Rule.objects.filter(title_en="", text_en=""):
        # A rule an editor changed keeps its English empty: the English page shows its French text.
        english = ENGLISH.get((rule.title, rule.text))
        if english:
            rule.title_en, rule.text_en = english
            rule.save(update_fields=["title_en", "text_en"])


class Migration(migrations.Migration):
    dependencies = [("diagnostics", "0002_default_rules")]

    operations = [
        migrations.AddField(
            model_name="recommendationrule",
            name="title_en",
            field=models.CharField(blank=True, max_length=120, verbose_name="titre en anglais"),
        ),
        migrations.AddField(
            model_name="recommendationrule",
            name="text_en",
            field=models.TextField(
                blank=True,
                help_text="Vide : la page en anglais montre le texte français.",
                verbose_name="texte en anglais",
            ),
        ),
        migrations.RunPython(fill_english, migrations.RunPython.noop),
    ]
