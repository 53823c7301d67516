"""Demo providers: ~100 accredited firms over the demo régions, offers in every category, some reviews.

Called by the demo seed with its random generator, so the data is the same on every run.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tremplin.demo.documents import demo_pdf
from tremplin.demo.seed import french_iban, luhn
from tremplin.providers.models import REQUIRED_DOCUMENT_KINDS, Document, Offer, Provider, Status
from tremplin.providers.reviews import post_review
from tremplin.providers.search import refresh_directory
from tremplin.registry.models import Departement
from tremplin.schemes.models import SpendCategory

DEMO_DEPARTEMENTS = {
    "84": ["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"],
    "53": ["22", "29", "35", "56"],
}
CITIES = {
    "01": "Bourg-en-Bresse", "03": "Moulins", "07": "Privas", "15": "Aurillac", "26": "Valence",
    "38": "Grenoble", "42": "Saint-Étienne", "43": "Le Puy-en-Velay", "63": "Clermont-Ferrand",
    "69": "Lyon", "73": "Chambéry", "74": "Annecy", "22": "Saint-Brieuc", "29": "Quimper",
    "35": "Rennes", "56": "Vannes",
}  # fmt: skip
PREFIXES = ["Agence", "Atelier", "Studio", "Collectif", "Cabinet", "Coopérative"]
WORDS = ["Numérique", "Pixel", "Horizon", "Écume", "Granit", "Volcan", "Rhône", "Armor", "Lumière", "Réseau"]
TITLES = {
    SpendCategory.WEBSITE: ("Site vitrine sur mesure", 80_000, 450_000),
    SpendCategory.ECOMMERCE: ("Boutique en ligne et paiement sécurisé", 200_000, 900_000),
    SpendCategory.SOCIAL_MARKETING: ("Animation des réseaux sociaux", 50_000, 300_000),
    SpendCategory.SEARCH_ADS: ("Campagnes de publicité sur les moteurs de recherche", 40_000, 250_000),
    SpendCategory.BUSINESS_SOFTWARE: ("Logiciel de facturation et de gestion clients", 90_000, 600_000),
    SpendCategory.CYBERSECURITY: ("Sauvegarde et sécurisation du poste de travail", 60_000, 350_000),
    SpendCategory.TRAINING: ("Formation aux outils numériques (2 jours)", 45_000, 150_000),
    SpendCategory.STRATEGY: ("Diagnostic et feuille de route numérique", 70_000, 400_000),
}
REVERSIBILITY = (
    "À la fin du contrat, nous vous remettons toutes vos données dans des formats ouverts (CSV, HTML, images) "
    "sous 15 jours, transférons le nom de domaine et les accès à votre nom, sans frais."
)


def add_documents(provider, expires_on):
    """The URSSAF certificate and the insurance an accredited provider holds, valid until `expires_on`."""
    for kind in REQUIRED_DOCUMENT_KINDS:
        Document.objects.create(
            provider=provider,
            kind=kind,
            file=demo_pdf(f"{kind}.pdf", str(Document.Kind(kind).label)),
            expires_on=expires_on,
        )
    provider.refresh_documents_valid_until()


def seed_providers(rng, count=100):
    """Create `count` accredited providers (idempotent on SIRET); returns them."""
    departements = {
        d.code: d for d in Departement.objects.filter(code__in=sum(DEMO_DEPARTEMENTS.values(), []))
    }
    codes = sorted(departements)
    if not codes:
        return []
    today = timezone.localdate()
    now = timezone.now()
    providers = []
    categories = list(SpendCategory)
    with transaction.atomic():
        for i in range(count):
            siret = luhn(f"{85123400 + i * 11:08d}00012"[:13])
            home = codes[i % len(codes)]
            name = (
                f"{PREFIXES[i % len(PREFIXES)]} {WORDS[(i * 7) % len(WORDS)]} {CITIES.get(home, '')}".strip()
            )
            provider, created = Provider.objects.get_or_create(
                siret=siret,
                defaults=dict(
                    name=f"{name} {i + 1}",
                    status=Status.ACCREDITED,
                    status_changed_at=now,
                    iban=french_iban("30004", f"{2000 + i:05d}", f"{rng.randrange(10**10):011d}"),
                    bic="BNPAFRPPXXX",
                    city=CITIES.get(home, ""),
                    departement=departements[home],
                    trading_since=today - timedelta(days=365 * rng.randint(2, 15)),
                    similar_turnover_cents=rng.randrange(5_000_000, 80_000_000),
                    description="Nous accompagnons les TPE de la région dans leurs projets numériques.",
                ),
            )
            providers.append(provider)
            if not created:
                continue
            add_documents(provider, today + timedelta(days=rng.randint(20, 360)))
            # Every category is offered by someone: provider i offers category i mod 8, plus two more.
            chosen = {categories[i % len(categories)], *rng.sample(categories, 2)}
            region = "84" if home in DEMO_DEPARTEMENTS["84"] else "53"
            for category in sorted(chosen):
                title, low, high = TITLES[category]
                low = low + rng.randrange(0, 20) * 5_000
                offer = Offer.objects.create(
                    provider=provider,
                    category=category,
                    title=title,
                    description="Devis gratuit, accompagnement personnalisé.",
                    price_min_cents=low,
                    price_max_cents=max(low, high + rng.randrange(0, 20) * 10_000),
                    delivery_days=rng.choice([10, 15, 30, 45, 60]),
                    reversibility=REVERSIBILITY,
                )
                served = [home, *rng.sample([c for c in DEMO_DEPARTEMENTS[region] if c in departements], 2)]
                offer.departements.set([departements[c] for c in set(served)])
            refresh_directory(provider)
    return providers


def seed_reviews(rng, applications):
    """Reviews for some paid demo files (their owners wrote them), through the review service."""
    texts = [
        "Travail soigné, délais tenus, je recommande.",
        "Bonne écoute, quelques retards mais le résultat est là.",
        "Très réactif et de bon conseil.",
        "Prestation correcte, explications parfois trop techniques.",
    ]
    done = []
    for application in applications:
        if application.state != "paid" or application.provider_id is None or hasattr(application, "review"):
            continue
        done.append(
            post_review(
                application.owner,
                application,
                quality=rng.randint(3, 5),
                deadlines=rng.randint(2, 5),
                communication=rng.randint(3, 5),
                text=rng.choice(texts),
            )
        )
    return done
