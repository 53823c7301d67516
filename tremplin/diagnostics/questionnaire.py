"""The questionnaire of the EU Digital Maturity Assessment (JRC), as versioned data.

Structure and scoring are fixed by DESIGN §6; the wording is ours, in plain French, with an
example under each technical term. A stored diagnostic keeps the version it was answered with:
a new wording or structure is a new `Questionnaire` with a new version, never an edit of this one.

Answer shapes, per question kind (the same in forms, services, storage and the API):
- AREAS (Q1):        {"invested": [item, ...], "planned": [item, ...]}
- TICKS (Q2, Q3, Q5, Q6, Q8, Q10): [item, ...]
- TICKS_EXCLUSIVE (Q7): [item, ...] or [the exclusive item] alone
- RATINGS (Q4, Q9):  {item: 0..5, ...} with every item
- TRISTATE (Q11):    {item: "no" | "partly" | "yes", ...} with every item
"""

from dataclasses import dataclass, field
from functools import cached_property

from django.utils.translation import gettext_lazy as _

AREAS = "areas"
TICKS = "ticks"
TICKS_EXCLUSIVE = "ticks_exclusive"
RATINGS = "ratings"
TRISTATE = "tristate"

RATING_MAX = 5
RATING_LABELS = {
    0: _("Pas utilisé"),
    1: _("Nous y pensons"),
    2: _("Nous l'essayons"),
    3: _("Nous le testons en vrai"),
    4: _("En cours d'installation"),
    5: _("Utilisé au quotidien"),
}
TRISTATE_VALUES = {"no": 0, "partly": 1, "yes": 2}  # halves: 0, 0.5, 1
TRISTATE_LABELS = {"no": _("Non"), "partly": _("En partie"), "yes": _("Oui")}


@dataclass(frozen=True)
class Item:
    id: str
    label: str
    example: str = ""


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    label: str
    help: str
    items: tuple
    exclusive: Item | None = None

    @cached_property
    def item_ids(self):
        return [item.id for item in self.items]


@dataclass(frozen=True)
class Dimension:
    id: str
    title: str
    intro: str
    questions: tuple


@dataclass(frozen=True)
class Questionnaire:
    version: str
    dimensions: tuple
    questions: dict = field(init=False)

    def __post_init__(self):
        questions = {q.id: q for d in self.dimensions for q in d.questions}
        object.__setattr__(self, "questions", questions)

    @property
    def dimension_ids(self):
        return [d.id for d in self.dimensions]

    def dimension(self, dimension_id):
        return next(d for d in self.dimensions if d.id == dimension_id)

    def dimension_of(self, question_id):
        return next(d for d in self.dimensions if any(q.id == question_id for q in d.questions))


STRATEGY = "strategy"
READINESS = "readiness"
HUMAN = "human"
DATA = "data"
AUTOMATION = "automation"
GREEN = "green"

DIMENSION_CHOICES = [
    (STRATEGY, _("Stratégie numérique de l'entreprise")),
    (READINESS, _("Équipement numérique")),
    (HUMAN, _("Équipe et compétences")),
    (DATA, _("Données et sécurité")),
    (AUTOMATION, _("Automatisation et intelligence artificielle")),
    (GREEN, _("Numérique responsable")),
]
DIMENSION_LABELS = dict(DIMENSION_CHOICES)

DMA_2026_1 = Questionnaire(
    version="dma-2026-1",
    dimensions=(
        Dimension(
            STRATEGY,
            DIMENSION_LABELS[STRATEGY],
            _("Où le numérique vous sert déjà, où il pourrait vous servir, et si l'entreprise est prête."),
            (
                Question(
                    "q1",
                    AREAS,
                    _(
                        "Dans quelles activités avez-vous déjà investi dans le numérique, ou prévu de le faire ?"
                    ),
                    _(
                        "Pour chaque activité, cochez « Déjà fait » si vous avez déjà acheté un outil ou un "
                        "service numérique, et « Prévu » si vous comptez le faire. Vous pouvez cocher les deux."
                    ),
                    (
                        Item("design", _("Création de produits ou de services, innovation")),
                        Item("projects", _("Organisation du travail et suivi des chantiers ou projets")),
                        Item("operations", _("Production ou réalisation du service")),
                        Item(
                            "collaboration",
                            _("Échanges avec l'équipe, les fournisseurs et les partenaires"),
                            _("Exemple : agenda partagé, messagerie d'équipe."),
                        ),
                        Item("inbound", _("Approvisionnement et gestion des stocks")),
                        Item("marketing", _("Publicité, vente et service aux clients")),
                        Item("delivery", _("Livraison ou remise au client")),
                        Item("admin", _("Comptabilité, paie et gestion du personnel")),
                        Item("purchasing", _("Achats")),
                        Item(
                            "security",
                            _("Sécurité informatique et protection des données personnelles"),
                            _("Exemple : respect du RGPD, la loi qui protège les données de vos clients."),
                        ),
                    ),
                ),
                Question(
                    "q2",
                    TICKS,
                    _("Votre entreprise est-elle prête à passer au numérique ?"),
                    _("Cochez tout ce qui est vrai pour vous aujourd'hui."),
                    (
                        Item("needs", _("Nous savons ce que le numérique pourrait améliorer chez nous.")),
                        Item(
                            "budget",
                            _("Nous avons prévu de l'argent pour des outils ou services numériques."),
                        ),
                        Item("equipment", _("Notre matériel et notre connexion internet suffisent.")),
                        Item(
                            "skills", _("Quelqu'un chez nous sait choisir et installer un outil numérique.")
                        ),
                        Item("leadership", _("Le dirigeant porte lui-même le projet numérique.")),
                        Item("change", _("Nous sommes prêts à changer notre façon de travailler.")),
                        Item(
                            "customers",
                            _("Nos clients nous demandent des services en ligne."),
                            _("Exemple : prendre rendez-vous ou payer sur internet."),
                        ),
                        Item(
                            "partners",
                            _("Nos fournisseurs ou partenaires travaillent déjà en numérique."),
                            _("Exemple : commandes en ligne, factures électroniques."),
                        ),
                        Item("support", _("Nous savons où trouver de l'aide : conseiller, prestataire.")),
                        Item(
                            "risks",
                            _("Nous connaissons les risques du numérique et comment les limiter."),
                            _("Exemple : piratage, panne, perte de fichiers."),
                        ),
                    ),
                ),
            ),
        ),
        Dimension(
            READINESS,
            DIMENSION_LABELS[READINESS],
            _("Les outils numériques que vous utilisez, des plus courants aux plus avancés."),
            (
                Question(
                    "q3",
                    TICKS,
                    _("Quels outils numériques utilisez-vous déjà ?"),
                    _("Cochez ceux que vous utilisez vraiment, même un peu."),
                    (
                        Item(
                            "connectivity",
                            _("Une connexion internet rapide"),
                            _("Exemple : la fibre, ou la 4G/5G."),
                        ),
                        Item("website", _("Un site internet")),
                        Item(
                            "web_forms",
                            _("Des formulaires en ligne"),
                            _("Exemple : demande de devis ou prise de rendez-vous sur votre site."),
                        ),
                        Item(
                            "chat",
                            _("Des échanges en ligne avec vos clients"),
                            _("Exemple : messagerie, réseaux sociaux comme Facebook ou WhatsApp."),
                        ),
                        Item(
                            "ecommerce",
                            _("La vente en ligne"),
                            _("Exemple : boutique sur votre site ou sur une place de marché."),
                        ),
                        Item(
                            "emarketing",
                            _("La publicité en ligne"),
                            _("Exemple : lettre d'information par courriel, annonces sur internet."),
                        ),
                        Item(
                            "egov",
                            _("Les démarches administratives en ligne"),
                            _("Exemple : impots.gouv.fr, URSSAF, marchés publics."),
                        ),
                        Item(
                            "remote",
                            _("Le travail à distance"),
                            _("Exemple : visioconférence, documents partagés en ligne."),
                        ),
                        Item(
                            "intranet",
                            _("Un espace interne pour l'équipe (intranet)"),
                            _("Exemple : un site réservé à l'équipe, avec les plannings et les documents."),
                        ),
                        Item(
                            "info_systems",
                            _("Des logiciels de gestion"),
                            _("Exemple : logiciel de caisse, de facturation, ou de suivi des clients (CRM)."),
                        ),
                    ),
                ),
                Question(
                    "q4",
                    RATINGS,
                    _("Où en êtes-vous avec ces technologies plus avancées ?"),
                    _("Pour chacune, choisissez où vous en êtes. « Pas utilisé » est une réponse normale."),
                    (
                        Item(
                            "simulation",
                            _("La simulation sur ordinateur"),
                            _("Exemple : tester un produit ou un aménagement à l'écran avant de le faire."),
                        ),
                        Item(
                            "virtual_reality",
                            _("La réalité virtuelle ou augmentée"),
                            _(
                                "Exemple : faire visiter un logement à distance avec un casque ou une tablette."
                            ),
                        ),
                        Item(
                            "cad",
                            _("La conception assistée par ordinateur (CAO)"),
                            _("Exemple : dessiner des plans en 3D."),
                        ),
                        Item(
                            "production_software",
                            _("Les logiciels de pilotage de la production"),
                            _("Exemple : suivre les machines ou les commandes en temps réel."),
                        ),
                        Item(
                            "iot",
                            _("Les objets connectés"),
                            _("Exemple : un capteur qui surveille la température d'une chambre froide."),
                        ),
                        Item(
                            "blockchain",
                            _("La blockchain (registre partagé qu'on ne peut pas falsifier)"),
                            _("Exemple : prouver l'origine d'un produit."),
                        ),
                        Item(
                            "printing_3d",
                            _("L'impression 3D"),
                            _("Exemple : fabriquer soi-même une pièce de rechange."),
                        ),
                    ),
                ),
            ),
        ),
        Dimension(
            HUMAN,
            DIMENSION_LABELS[HUMAN],
            _("Comment votre équipe apprend le numérique et participe aux changements."),
            (
                Question(
                    "q5",
                    TICKS,
                    _("Comment votre équipe apprend-elle le numérique ?"),
                    _("Cochez ce que vous faites déjà. Si vous travaillez seul, répondez pour vous."),
                    (
                        Item("assessment", _("Nous avons fait le point sur ce que chacun sait faire.")),
                        Item("plan", _("Nous avons un plan de formation au numérique.")),
                        Item(
                            "short_courses",
                            _("Nous suivons des formations courtes."),
                            _("Exemple : un atelier d'une journée, un tutoriel en ligne."),
                        ),
                        Item("peer_learning", _("Les plus à l'aise aident les autres au quotidien.")),
                        Item(
                            "trainees",
                            _("Nous accueillons des stagiaires ou apprentis à l'aise avec le numérique."),
                        ),
                        Item("experts", _("Des experts extérieurs viennent former l'équipe.")),
                        Item(
                            "funding",
                            _("Nous utilisons des aides pour payer les formations."),
                            _("Exemple : votre OPCO, le compte personnel de formation (CPF)."),
                        ),
                    ),
                ),
                Question(
                    "q6",
                    TICKS,
                    _("Comment l'équipe vit-elle les changements numériques ?"),
                    _("Cochez ce qui est vrai chez vous."),
                    (
                        Item("explain", _("Nous expliquons à l'équipe pourquoi nous changeons d'outils.")),
                        Item("involve", _("L'équipe participe au choix des outils.")),
                        Item("ideas", _("Chacun peut proposer des améliorations.")),
                        Item(
                            "disconnect",
                            _("Nous respectons le droit de ne pas répondre hors des heures de travail."),
                        ),
                        Item("workload", _("Nous veillons à ce que les outils ne surchargent pas l'équipe.")),
                        Item("helper", _("Une personne aide les autres quand un outil pose problème.")),
                        Item(
                            "flexibility",
                            _("Le numérique rend le travail plus souple."),
                            _("Exemple : télétravail, horaires plus libres."),
                        ),
                        Item(
                            "review", _("Nous vérifions de temps en temps que les outils servent vraiment.")
                        ),
                    ),
                ),
            ),
        ),
        Dimension(
            DATA,
            DIMENSION_LABELS[DATA],
            _("Comment vous gardez et utilisez vos informations, et comment vous les protégez."),
            (
                Question(
                    "q7",
                    TICKS_EXCLUSIVE,
                    _("Comment gardez-vous et utilisez-vous vos données ?"),
                    _(
                        "Les données, ce sont vos informations : clients, ventes, stocks, factures… "
                        "Cochez ce que vous faites, ou seulement la dernière case si tout est sur papier."
                    ),
                    (
                        Item(
                            "stored",
                            _("Nos données sont rangées dans un outil numérique."),
                            _("Exemple : un fichier clients sur ordinateur, un logiciel de facturation."),
                        ),
                        Item(
                            "connected",
                            _("Nos outils se passent les données sans qu'on les recopie."),
                            _("Exemple : la caisse envoie les ventes au logiciel de comptabilité."),
                        ),
                        Item("remote_access", _("Nous accédons à nos données à distance, en sécurité.")),
                        Item(
                            "analysis",
                            _("Nous étudions nos données pour décider."),
                            _("Exemple : ventes par mois, produits qui marchent le mieux."),
                        ),
                        Item(
                            "dashboards",
                            _("Nous suivons un tableau de bord."),
                            _("Exemple : chiffre d'affaires et commandes de la semaine sur un seul écran."),
                        ),
                        Item(
                            "external",
                            _("Nous utilisons aussi des données extérieures."),
                            _("Exemple : statistiques publiques, météo, fréquentation."),
                        ),
                        Item(
                            "exchange",
                            _("Nous échangeons des données avec nos partenaires."),
                            _("Exemple : les commandes partent toutes seules chez le fournisseur."),
                        ),
                    ),
                    exclusive=Item(
                        "not_digital",
                        _("Nous ne gardons pas nos données sous forme numérique."),
                        _("Exemple : tout est sur papier ou dans nos têtes."),
                    ),
                ),
                Question(
                    "q8",
                    TICKS,
                    _("Comment protégez-vous vos données et vos appareils ?"),
                    _("Cochez ce qui est en place aujourd'hui."),
                    (
                        Item(
                            "rules",
                            _("Nous avons des règles écrites de sécurité."),
                            _("Exemple : qui a accès à quoi, comment choisir un mot de passe."),
                        ),
                        Item(
                            "backups",
                            _("Nous faisons des sauvegardes régulières, rangées hors de nos locaux."),
                            _("Exemple : sauvegarde en ligne, disque emporté chaque semaine."),
                        ),
                        Item("updates", _("Nos ordinateurs, téléphones et logiciels sont mis à jour.")),
                        Item(
                            "protection",
                            _("Nos appareils sont protégés."),
                            _("Exemple : antivirus, pare-feu (un filtre entre votre réseau et internet)."),
                        ),
                        Item(
                            "phishing",
                            _("L'équipe sait reconnaître une arnaque en ligne."),
                            _("Exemple : un faux courriel de votre banque qui demande votre mot de passe."),
                        ),
                        Item("continuity", _("Nous savons quoi faire en cas de panne ou de piratage.")),
                    ),
                ),
            ),
        ),
        Dimension(
            AUTOMATION,
            DIMENSION_LABELS[AUTOMATION],
            _("Les machines et logiciels qui font une partie du travail à votre place."),
            (
                Question(
                    "q9",
                    RATINGS,
                    _("Où en êtes-vous avec l'automatisation et l'intelligence artificielle ?"),
                    _(
                        "L'intelligence artificielle, ce sont des logiciels qui apprennent à partir "
                        "d'exemples. Pour chaque ligne, choisissez où vous en êtes."
                    ),
                    (
                        Item(
                            "language",
                            _("Les outils qui comprennent ou écrivent du texte"),
                            _(
                                "Exemple : un assistant qui répond aux clients sur votre site, la traduction automatique."
                            ),
                        ),
                        Item(
                            "vision",
                            _("La reconnaissance d'images"),
                            _("Exemple : lecture automatique des factures, contrôle de qualité par caméra."),
                        ),
                        Item(
                            "voice",
                            _("La reconnaissance de la voix"),
                            _("Exemple : dicter un courrier, prise de notes automatique en réunion."),
                        ),
                        Item(
                            "robots",
                            _("Les robots et machines automatiques"),
                            _("Exemple : machine d'emballage, robot de préparation des commandes."),
                        ),
                        Item(
                            "decision",
                            _("Les logiciels qui aident à prévoir ou à décider"),
                            _("Exemple : prévoir les ventes de la semaine, ajuster les prix."),
                        ),
                    ),
                ),
            ),
        ),
        Dimension(
            GREEN,
            DIMENSION_LABELS[GREEN],
            _("Comment le numérique aide l'environnement, et comment vous limitez son impact."),
            (
                Question(
                    "q10",
                    TICKS,
                    _("Le numérique vous aide-t-il à réduire votre impact sur l'environnement ?"),
                    _("Cochez ce que vous faites déjà."),
                    (
                        Item(
                            "offer",
                            _("Il nous aide à proposer des produits ou services plus durables."),
                            _("Exemple : louer ou réparer plutôt que vendre du neuf."),
                        ),
                        Item(
                            "paper",
                            _("Nous utilisons moins de papier."),
                            _("Exemple : factures électroniques."),
                        ),
                        Item(
                            "energy", _("Nous suivons notre consommation d'énergie avec un outil numérique.")
                        ),
                        Item(
                            "travel",
                            _("Nous nous déplaçons moins."),
                            _("Exemple : une visioconférence au lieu d'un rendez-vous lointain."),
                        ),
                        Item(
                            "waste",
                            _("Nous jetons moins."),
                            _("Exemple : un suivi des stocks qui évite les produits périmés."),
                        ),
                        Item(
                            "suppliers",
                            _("Nous choisissons des fournisseurs plus durables grâce au numérique."),
                        ),
                        Item("repair", _("Nous faisons réparer nos appareils plutôt que d'en racheter.")),
                        Item("recycling", _("Nous faisons recycler nos appareils usagés.")),
                        Item(
                            "hosting",
                            _(
                                "Notre site ou nos logiciels en ligne sont chez un hébergeur économe en énergie."
                            ),
                        ),
                        Item(
                            "sobriety",
                            _("Nous évitons le gaspillage numérique."),
                            _("Exemple : éteindre les appareils le soir, éviter les vidéos trop lourdes."),
                        ),
                    ),
                ),
                Question(
                    "q11",
                    TRISTATE,
                    _("Tenez-vous compte de l'environnement dans vos choix numériques ?"),
                    _("Pour chaque ligne, répondez Non, En partie ou Oui."),
                    (
                        Item(
                            "policy",
                            _("Nous avons une démarche pour l'environnement."),
                            _("Exemple : un label, un bilan carbone."),
                        ),
                        Item(
                            "purchases",
                            _("L'environnement compte quand nous achetons du matériel numérique."),
                        ),
                        Item(
                            "consumption", _("Nous surveillons ce que consomment nos appareils numériques.")
                        ),
                        Item("cleanup", _("Nous supprimons les fichiers et courriels inutiles.")),
                        Item("awareness", _("L'équipe connaît l'impact du numérique sur l'environnement.")),
                    ),
                ),
            ),
        ),
    ),
)

QUESTIONNAIRES = {DMA_2026_1.version: DMA_2026_1}
CURRENT = DMA_2026_1


def get(version):
    return QUESTIONNAIRES[version]
