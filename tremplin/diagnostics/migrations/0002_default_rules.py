"""The default recommendation rules; the programme team edits them in the admin afterwards."""

from django.db import migrations

D, I, R = "dimension_at_most", "item_missing", "rating_at_most"

# (title, text, condition, dimension, question, item, threshold, benefit, spend categories)
RULES = [
    (
        "Faire le point sur votre stratégie numérique avec un conseiller",
        "Avant d'acheter des outils, prenez une demi-journée avec un conseiller pour repérer ce qui vous fait "
        "perdre du temps ou des clients. Vous repartez avec deux ou trois priorités et un budget. Exemple : "
        "mieux répondre aux demandes de devis avant de refaire le site.",
        D, "strategy", "", "", 50, 95, ["strategy"],
    ),
    (
        "Sauvegarder vos données hors de vos locaux",
        "Une panne, un vol ou un virus peut effacer vos factures et votre fichier clients. Mettez en place une "
        "sauvegarde automatique en ligne, ou un disque que vous emportez chaque semaine.",
        I, "", "q8", "backups", None, 90, ["cybersecurity"],
    ),
    (
        "Être trouvé sur internet",
        "La plupart des clients cherchent sur internet avant de venir. Un site simple, avec vos horaires, vos "
        "prix et un moyen de vous contacter, suffit pour commencer. Pensez aussi à votre fiche sur les cartes "
        "en ligne.",
        I, "", "q3", "website", None, 80, ["website"],
    ),
    (
        "Passer à un logiciel de gestion",
        "Un logiciel de caisse ou de facturation évite les recopies et les oublis. Les factures électroniques "
        "deviennent obligatoires entre entreprises : c'est le bon moment pour s'équiper.",
        I, "", "q3", "info_systems", None, 75, ["business_software"],
    ),
    (
        "Apprendre à reconnaître les arnaques en ligne",
        "La plupart des piratages commencent par un faux courriel. Une courte formation apprend à l'équipe à "
        "repérer un faux message de la banque ou d'un fournisseur.",
        I, "", "q8", "phishing", None, 72, ["cybersecurity", "training"],
    ),
    (
        "Former l'équipe au numérique",
        "Un outil ne sert que si l'équipe sait s'en servir. Prévoyez une formation courte sur les outils que "
        "vous utilisez déjà, puis sur ceux que vous allez installer.",
        D, "human", "", "", 50, 70, ["training"],
    ),
    (
        "Lister ce que le numérique peut améliorer chez vous",
        "Notez pendant une semaine les tâches qui prennent trop de temps ou font perdre des clients. Cette "
        "liste sera votre point de départ avec un conseiller ou un prestataire.",
        I, "", "q2", "needs", None, 70, ["strategy"],
    ),
    (
        "Mettre à jour vos appareils et logiciels",
        "Les mises à jour corrigent des failles que les pirates connaissent. Activez les mises à jour "
        "automatiques sur les ordinateurs, téléphones et logiciels.",
        I, "", "q8", "updates", None, 68, ["cybersecurity"],
    ),
    (
        "Ranger vos informations dans un outil numérique",
        "Un fichier clients et un suivi des ventes sur ordinateur vous font gagner du temps et vous aident à "
        "décider. Exemple : relancer les clients qui ne sont pas revenus depuis six mois.",
        I, "", "q7", "stored", None, 66, ["business_software"],
    ),
    (
        "Équiper l'entreprise des outils de base",
        "Quelques outils simples changent déjà le quotidien : un site, un logiciel de facturation, un agenda "
        "partagé. Commencez par celui qui répond à votre plus gros problème.",
        D, "readiness", "", "", 25, 65, ["website", "business_software"],
    ),
    (
        "Vendre ou prendre des réservations en ligne",
        "Vos clients peuvent commander, réserver ou payer à toute heure. Exemple : prise de rendez-vous en "
        "ligne, boutique sur votre site ou sur une place de marché.",
        I, "", "q3", "ecommerce", None, 60, ["ecommerce"],
    ),
    (
        "Protéger l'entreprise contre les risques informatiques",
        "Faites vérifier vos protections par un spécialiste : mots de passe, sauvegardes, antivirus, accès. "
        "Il vous dit quoi corriger en priorité.",
        D, "data", "", "", 50, 60, ["cybersecurity"],
    ),
    (
        "Améliorer votre connexion internet",
        "Une connexion lente fait perdre du temps chaque jour. Vérifiez si la fibre est disponible à votre "
        "adresse, ou une offre 4G/5G professionnelle.",
        I, "", "q3", "connectivity", None, 55, [],
    ),
    (
        "Passer aux factures électroniques",
        "Moins de papier, des paiements plus rapides, et vous serez prêt pour l'obligation de facturation "
        "électronique. La plupart des logiciels de facturation le font.",
        I, "", "q10", "paper", None, 52, ["business_software"],
    ),
    (
        "Faire connaître l'entreprise en ligne",
        "Une page sur les réseaux sociaux et une lettre d'information régulière gardent le lien avec vos "
        "clients. Exemple : annoncer une nouveauté ou une promotion.",
        I, "", "q3", "emarketing", None, 50, ["social_marketing", "search_ads"],
    ),
    (
        "Relier vos outils entre eux",
        "Quand la caisse, la facturation et la comptabilité se parlent, vous ne recopiez plus rien. Demandez "
        "à votre prestataire quels outils se connectent entre eux.",
        I, "", "q7", "connected", None, 48, ["business_software"],
    ),
    (
        "Prévoir un budget pour le numérique",
        "Même modeste, un budget annuel permet d'avancer pas à pas. Le chèque numérique peut en financer une "
        "partie.",
        I, "", "q2", "budget", None, 45, ["strategy"],
    ),
    (
        "Automatiser une tâche répétitive",
        "Choisissez une tâche que vous faites chaque semaine, comme les relances de factures ou les rappels de "
        "rendez-vous, et laissez un logiciel la faire.",
        D, "automation", "", "", 25, 42, ["business_software"],
    ),
    (
        "Faire financer les formations",
        "Votre opérateur de compétences (OPCO) peut payer une partie des formations de vos salariés. Demandez-"
        "lui la liste des formations au numérique prises en charge.",
        I, "", "q5", "funding", None, 40, ["training"],
    ),
    (
        "Essayer un assistant qui répond aux questions fréquentes",
        "Un assistant sur votre site peut répondre aux questions simples (horaires, prix, délais) à toute "
        "heure. Commencez par les dix questions qu'on vous pose le plus.",
        R, "", "q9", "language", 1, 30, ["website"],
    ),
    (
        "Réduire l'impact du numérique de l'entreprise",
        "Faites durer vos appareils, éteignez-les le soir et supprimez les fichiers inutiles : c'est bon pour "
        "l'environnement et pour vos dépenses.",
        D, "green", "", "", 25, 28, ["training"],
    ),
    (
        "Faire réparer plutôt que racheter",
        "Un ordinateur ou un téléphone réparé ou reconditionné coûte moins cher et pollue moins qu'un neuf.",
        I, "", "q10", "repair", None, 25, [],
    ),
]


def create_rules(apps, schema_editor):
    Rule = apps.get_model("diagnostics", "RecommendationRule")
    Rule.objects.bulk_create(
        Rule(
            title=title,
            text=text,
            condition=condition,
            dimension=dimension,
            question=question,
            item=item,
            threshold=threshold,
            benefit=benefit,
            spend_categories=categories,
        )
        for title, text, condition, dimension, question, item, threshold, benefit, categories in RULES
    )


def delete_rules(apps, schema_editor):
    apps.get_model("diagnostics", "RecommendationRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("diagnostics", "0001_initial")]

    operations = [migrations.RunPython(create_rules, delete_rules)]
