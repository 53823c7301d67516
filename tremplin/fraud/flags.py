"""Fraud flags: what an advisor or an auditor should look at twice, explained, never a decision.

Each flag is one function over the same snapshot of the files (`Files`, loaded in a fixed number of
queries) and returns `Finding`s: a code, a French sentence naming what matched, the other files
involved. Nothing here changes a state: a flag is read by a person, who decides.

Thresholds (named constants, documented in docs/fraud.md):
- RECENT_COMPANY_DAYS: a company created less than this many days before its scheme's window opened
  (or after it opened) is flagged;
- AT_CAP_MIN_CLAIMS: a provider with at least this many claims whose payable amount equals the
  scheme's cap is flagged on each of these files;
- "far above the provider's usual prices" is the quotes' own rule (providers.quality.above_catalogue,
  the QUOTE_ABOVE_CATALOGUE quality threshold): the flag reads `Quote.above_catalogue`.
"""

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Q
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tremplin.authority.sources import representatives_of, source
from tremplin.core.formatting import euros
from tremplin.providers.models import Quote
from tremplin.registry.models import Establishment
from tremplin.vouchers.models import Application, Claim, State

RECENT_COMPANY_DAYS = 90
AT_CAP_MIN_CLAIMS = 5

# The flag kinds, in the order the pages list them (code → label).
KINDS = {
    "same_invoice": gettext_lazy("Même facture sur deux dossiers"),
    "shared_iban": gettext_lazy("Même IBAN pour des entreprises différentes"),
    "provider_link": gettext_lazy("Prestataire lié au bénéficiaire"),
    "at_cap": gettext_lazy("Demandes de paiement au plafond en série"),
    "recent_company": gettext_lazy("Entreprise créée juste avant l'ouverture"),
    "above_catalogue": gettext_lazy("Devis très au-dessus des prix habituels"),
}


@dataclass
class Finding:
    code: str
    application: Application
    sentence: str
    others: list = field(default_factory=list)

    @property
    def label(self):
        return KINDS[self.code]


class Files:
    """The submitted files (drafts stay out) with what the flags compare, in four queries."""

    def __init__(self, applications=None):
        qs = Application.objects.exclude(state=State.DRAFT).select_related("company", "provider", "scheme")
        self.applications = list(applications if applications is not None else qs.order_by("pk"))
        ids = [a.pk for a in self.applications]
        self.claims = {c.application_id: c for c in Claim.objects.filter(application_id__in=ids)}
        provider_sirets = {a.provider.siret for a in self.applications if a.provider_id}
        company_ids = {a.company_id for a in self.applications}
        self.addresses = {}
        for place in Establishment.objects.filter(
            Q(siret__in=provider_sirets) | Q(company_id__in=company_ids, is_head_office=True)
        ):
            key = ("siret", place.siret) if place.siret in provider_sirets else ("company", place.company_id)
            self.addresses[key] = place
        self.quotes = defaultdict(list)
        for quote in Quote.objects.filter(
            request__application_id__in=ids, above_catalogue=True
        ).select_related("provider", "request"):
            self.quotes[quote.request.application_id].append(quote)


def _references(applications):
    return ", ".join(a.reference for a in applications)


def _normalised(text):
    """Upper-case letters and digits only, accents dropped: "12, rue de la République" = "12 RUE DE LA REPUBLIQUE"."""
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text or "").upper() if ch.isascii() and ch.isalnum()
    )


def _groups(files, key):
    """Files grouped by `key(application)` (None: left out), only groups of two or more."""
    groups = defaultdict(list)
    for application in files.applications:
        value = key(application)
        if value:
            groups[value].append(application)
    return [group for group in groups.values() if len(group) > 1]


def _seller(application, claim):
    """(identifier, name) of who issued the invoice: the file's provider, else the seller read in the
    Factur-X (a seller other than the provider is already one of the claim's own flags)."""
    if application.provider_id:
        return application.provider.siret, application.provider.name
    read = claim.facturx
    return read.get("seller_siret") or read.get("seller_siren") or "", read.get("seller_name", "")


def same_invoice(files):
    """The same invoice on two claims: same number from the same seller, or the same PDF file."""
    findings = {}

    def by_number(application):
        claim = files.claims.get(application.pk)
        if not claim or not _normalised(claim.invoice_number):
            return None
        siren, _name = _seller(application, claim)
        return (_normalised(claim.invoice_number), siren) if siren else None

    for group in _groups(files, by_number):
        for application in group:
            claim = files.claims[application.pk]
            others = [a for a in group if a is not application]
            findings[application.pk] = Finding(
                "same_invoice",
                application,
                _("La facture n° %(number)s de %(seller)s figure aussi sur le dossier %(files)s.")
                % {
                    "number": claim.invoice_number,
                    "seller": _seller(application, claim)[1],
                    "files": _references(others),
                },
                others,
            )

    def by_file(application):
        claim = files.claims.get(application.pk)
        return claim.invoice_sha256 if claim else None

    for group in _groups(files, by_file):
        for application in group:
            others = [a for a in group if a is not application]
            if application.pk in findings and set(others) <= set(findings[application.pk].others):
                continue
            findings[application.pk, "file"] = Finding(
                "same_invoice",
                application,
                _("Le fichier de la facture est identique à celui du dossier %(files)s.")
                % {"files": _references(others)},
                others,
            )
    return list(findings.values())


def shared_iban(files):
    """One IBAN given for files of different companies."""
    findings = []
    for group in _groups(files, lambda a: _normalised(a.iban)):
        if len({a.company_id for a in group}) < 2:
            continue
        for application in group:
            others = [a for a in group if a.company_id != application.company_id]
            findings.append(
                Finding(
                    "shared_iban",
                    application,
                    _("L'IBAN %(iban)s est aussi celui de %(companies)s, sur le dossier %(files)s.")
                    % {
                        "iban": application.iban,
                        "companies": ", ".join(sorted({a.company.display_name for a in others})),
                        "files": _references(others),
                    },
                    others,
                )
            )
    return findings


def _people(representatives):
    return {
        (_normalised(p.family_name), _normalised(p.given_names), p.birth_month): p for p in representatives
    }


def provider_link(files):
    """The provider and the beneficiary share an address, a director or an IBAN."""
    findings = []
    for application in files.applications:
        provider = application.provider
        if not provider:
            continue
        name = {"provider": provider.name, "company": application.company.display_name}
        if provider.siret[:9] == application.company.siren:
            continue
        if provider.iban and _normalised(provider.iban) == _normalised(application.iban):
            findings.append(
                Finding(
                    "provider_link",
                    application,
                    _("Le prestataire %(provider)s et %(company)s ont le même IBAN (%(iban)s).")
                    % {**name, "iban": application.iban},
                )
            )
        theirs = files.addresses.get(("siret", provider.siret))
        ours = files.addresses.get(("company", application.company_id))
        if theirs and ours and theirs.street and _normalised(theirs.street) == _normalised(ours.street):
            if theirs.postal_code == ours.postal_code:
                findings.append(
                    Finding(
                        "provider_link",
                        application,
                        _("Le prestataire %(provider)s et %(company)s ont la même adresse : %(address)s.")
                        % {
                            **name,
                            "address": f"{ours.street}, {ours.postal_code} {ours.commune_name}".strip(),
                        },
                    )
                )
        directors = _people(representatives_of(application.company))
        shared = _people(source().representatives(provider.siret[:9])).keys() & directors.keys()
        for key in sorted(shared):
            person = directors[key]
            findings.append(
                Finding(
                    "provider_link",
                    application,
                    _("%(person)s dirige à la fois le prestataire %(provider)s et %(company)s.")
                    % {**name, "person": f"{person.given_names} {person.family_name}"},
                )
            )
    return findings


def at_cap(files):
    """A provider whose claims are, on many files, exactly at the scheme's cap."""
    at_the_cap = defaultdict(list)
    for application in files.applications:
        claim = files.claims.get(application.pk)
        if application.provider_id and claim and claim.payable_cents == application.scheme.cap_cents:
            at_the_cap[application.provider_id].append(application)
    findings = []
    for group in at_the_cap.values():
        if len(group) < AT_CAP_MIN_CLAIMS:
            continue
        for application in group:
            others = [a for a in group if a is not application]
            findings.append(
                Finding(
                    "at_cap",
                    application,
                    _(
                        "Le prestataire %(provider)s a %(count)s demandes de paiement exactement au plafond "
                        "de %(cap)s, dont celle-ci."
                    )
                    % {
                        "provider": application.provider.name,
                        "count": len(group),
                        "cap": euros(application.scheme.cap_cents),
                    },
                    others,
                )
            )
    return findings


def recent_company(files):
    """A company created just before (or after) its scheme's window opened."""
    findings = []
    for application in files.applications:
        created = application.company.created_on
        opens = timezone.localtime(application.scheme.window_opens_at).date()
        if not created or created < opens - timedelta(days=RECENT_COMPANY_DAYS):
            continue
        values = {
            "company": application.company.display_name,
            "created": dateformat.format(created, "j F Y"),
            "opens": dateformat.format(opens, "j F Y"),
            "days": (opens - created).days,
        }
        if created < opens:
            sentence = ngettext(
                "%(company)s a été créée le %(created)s, %(days)s jour avant l'ouverture des dépôts du %(opens)s.",
                "%(company)s a été créée le %(created)s, %(days)s jours avant l'ouverture des dépôts du %(opens)s.",
                values["days"],
            )
        else:
            sentence = _("%(company)s a été créée le %(created)s, après l'ouverture des dépôts du %(opens)s.")
        findings.append(Finding("recent_company", application, sentence % values))
    return findings


def above_catalogue(files):
    """A quote priced far above the provider's own catalogue (the quotes' rule, read, not redone)."""
    return [
        Finding(
            "above_catalogue",
            application,
            _("Le devis de %(provider)s (%(amount)s) est très au-dessus des prix de son catalogue.")
            % {"provider": quote.provider.name, "amount": euros(quote.amount_cents)},
        )
        for application in files.applications
        for quote in files.quotes.get(application.pk, ())
    ]


FLAGS = [same_invoice, shared_iban, provider_link, at_cap, recent_company, above_catalogue]


def _order(findings):
    codes = list(KINDS)
    return sorted(findings, key=lambda f: (f.application.pk, codes.index(f.code)))


def all_flags(files=None):
    """Every finding on every submitted file, by file then kind."""
    files = files or Files()
    return _order([finding for flag in FLAGS for finding in flag(files)])


def flags_for(application):
    """The findings on one file, compared with the files that could match it (same IBAN, same provider,
    same invoice file, or, without a provider, the other claims without one): five queries."""
    claim = Claim.objects.filter(application_id=application.pk).only("invoice_sha256").first()
    related = Q(pk=application.pk)
    if application.iban:
        related |= Q(iban__iexact=application.iban)
    if application.provider_id:
        related |= Q(provider_id=application.provider_id)
    elif claim:
        related |= Q(provider__isnull=True, claim__isnull=False)
    if claim and claim.invoice_sha256:
        related |= Q(claim__invoice_sha256=claim.invoice_sha256)
    candidates = (
        Application.objects.exclude(state=State.DRAFT)
        .filter(related)
        .select_related("company", "provider", "scheme")
        .order_by("pk")
        .distinct()
    )
    return [finding for finding in all_flags(Files(candidates)) if finding.application.pk == application.pk]
