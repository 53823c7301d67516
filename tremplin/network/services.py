"""Every change in the advisor network: permission, precondition, transaction, audit, notification."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from tremplin.accounts.models import Role
from tremplin.core import audit
from tremplin.core.errors import Conflict, PermissionDenied, ServiceError
from tremplin.core.language import programme_language
from tremplin.core.models import AuditEvent
from tremplin.core.notifications import notify, notify_address
from tremplin.core.validators import clean_phone, clean_siren_or_siret
from tremplin.network import routing, tasks, workflow
from tremplin.network.models import (
    DECLINED_MATCH_STATES,
    Action,
    ActionKind,
    AwarenessSession,
    CoachingSession,
    Match,
    MatchState,
    Request,
    RequestStatus,
    Theme,
)
from tremplin.network.workflow import WORKFLOW
from tremplin.registry import lookup
from tremplin.registry.lookup import find_company, find_establishment, normalise
from tremplin.registry.models import Commune, Departement, Establishment

REMINDER_DAYS = (9, 21, 45)
ARCHIVE_AFTER_MONTHS = 6

UNKNOWN_SIRET_WARNING = gettext_noop(
    "Nous ne trouvons pas ce SIRET dans le répertoire SIRENE : votre demande est bien enregistrée "
    "et envoyée aux conseillers de votre code postal, qui vérifieront avec vous."
)


def _local_day(on: date):
    return timezone.make_aware(datetime.combine(on, time.min))


def _departement_of_postal_code(postal_code):
    if postal_code.startswith("20"):
        code = "2A" if postal_code < "20200" else "2B"
    elif postal_code[:2] in ("97", "98"):
        code = postal_code[:3]
    else:
        code = postal_code[:2]
    return Departement.objects.filter(pk=code).first()


def _commune_of_postal_code(departement, postal_code):
    # Several communes may share a postal code: the first one, by INSEE code, is only used for
    # commune-level antennas, the département is what routing needs.
    return (
        Commune.objects.filter(departement=departement, postal_codes__icontains=f'"{postal_code}"')
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )


@dataclass
class Created:
    request: Request
    warnings: list[str] = field(default_factory=list)


def _locate(identifier):
    """What the registry says of the company a person names: (SIRET, company, establishment or None).

    A SIREN stands for its head office (its SIRET, its commune). A SIRET of a known company missing
    from the registry (an establishment just opened) is routed by the head office; a SIRET of an unknown
    company (a brand-new one) returns no company, and the postal code then locates it.
    """
    siren, siret = clean_siren_or_siret(identifier, "siret")
    try:
        company, _ = lookup.company_for(siren, "siret")
    except ServiceError as error:
        if siret and error.code == lookup.UNKNOWN_SIREN:
            return siret, None, None
        raise
    if siret is None:
        siret = siren + company.head_office_nic if len(company.head_office_nic) == 5 else siren
    establishment = find_establishment(siret)
    if establishment is not None and establishment.state == Establishment.State.CLOSED:
        raise lookup.refusal(lookup.ESTABLISHMENT_CLOSED, "siret")
    return siret, company, establishment


@programme_language
def create_request(*, siret, email, theme_code, description, postal_code="", phone="", user=None, on=None):
    """A business describes a need; routing sends it to up to three advisors in the same transaction.

    `siret` is what the person typed: a SIRET, or a SIREN (the head office is then used). The company
    gets a confirmation email at `email` once the transaction commits.
    """
    on = on or timezone.localdate()
    siret, company, establishment = _locate(siret)
    phone = clean_phone(phone)
    theme = Theme.objects.filter(code=theme_code).first()
    if theme is None:
        raise ServiceError("unknown_theme", gettext_noop("Choisissez un thème dans la liste."), "theme")
    description = (description or "").strip()
    if not description:
        raise ServiceError(
            "missing_description", gettext_noop("Décrivez votre besoin en quelques phrases."), "description"
        )
    postal_code = normalise(postal_code)
    warnings = []
    if establishment is not None:
        commune_code, departement_id = establishment.commune_code, company.departement_id
        postal_code = establishment.postal_code or postal_code
    elif company is not None:
        commune_code, departement_id = company.head_office_commune_code, company.departement_id
        postal_code = company.head_office_postal_code or postal_code
    else:
        if not (len(postal_code) == 5 and postal_code.isdigit()):
            raise ServiceError(
                "postal_code_required",
                gettext_noop(
                    "Ce SIRET n'est pas dans le répertoire SIRENE : indiquez le code postal de votre "
                    "entreprise (5 chiffres) pour que nous trouvions les conseillers de votre territoire."
                ),
                "postal_code",
            )
        departement = _departement_of_postal_code(postal_code)
        if departement is None:
            raise ServiceError(
                "unknown_postal_code",
                gettext_noop("Ce code postal ne correspond à aucun département : vérifiez les 5 chiffres."),
                "postal_code",
            )
        departement_id = departement.pk
        commune_code = _commune_of_postal_code(departement, postal_code) or ""
        warnings.append(UNKNOWN_SIRET_WARNING)
    with transaction.atomic():
        request = Request.objects.create(
            siret=siret,
            company=company,
            email=email,
            phone=phone,
            theme=theme,
            description=description,
            postal_code=postal_code[:5],
            commune_code=commune_code or "",
            departement_id=departement_id,
            in_registry=company is not None,
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        # No match yet: the request starts in the national queue until routing sends it on.
        audit.record(request, actor=user, action="create_request", to_state=RequestStatus.NATIONAL_QUEUE)
        advisors = routing.route(request, on=on)
        _send_to(request, advisors, actor=user)
        notify_address(
            request.email,
            f"Votre demande d'accompagnement est bien reçue ({request.reference})",
            "network/emails/request_received.txt",
            request=request,
            advisors=len(advisors),
        )
    return Created(request, warnings)


def _send_to(request, advisor_ids, *, actor):
    """One insert for the matches, one for their audit events; emails are rendered in the queued task."""
    if not advisor_ids:
        return []
    matches = Match.objects.bulk_create(
        [Match(request=request, advisor_id=advisor_id) for advisor_id in sorted(advisor_ids)]
    )
    content_type = ContentType.objects.get_for_model(Match)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor if getattr(actor, "pk", None) else None,
            content_type=content_type,
            object_id=str(match.pk),
            action="route",
            to_state=match.state,
            data={"request": request.pk},
        )
        for match in matches
    )
    match_ids = [match.pk for match in matches]
    transaction.on_commit(lambda: tasks.notify_new_matches.enqueue(match_ids=match_ids))
    return matches


@programme_language
def notify_new_matches(matches):
    """Email the advisors these matches were just given to (run by the queued task, not in the request)."""
    for match in matches:
        workflow.tell_advisor(match)


def change_match_state(user, match, to_state, *, on=None):
    """The match's advisor moves it on, by the state it leads to (each state is reached by one of the
    advisor's transitions); "not for me" sends the request to the next eligible advisor."""
    on = on or timezone.localdate()
    if to_state not in MatchState.values:
        raise ServiceError("unknown_state", gettext_noop("Cet état n'existe pas."), "state")
    name = workflow.ADVISOR_MOVES.get(to_state)
    with transaction.atomic():
        match = WORKFLOW.lock(match)
        # The reasons in the order people need them: whose match, archived, then which move.
        if not workflow.is_match_advisor(user, match):
            raise workflow.refusal(workflow.ADVISOR)
        if match.request.archived_at:
            raise Conflict(
                "archived", gettext_noop("Cette demande est archivée : elle ne peut plus changer.")
            )
        if name is None or match.state not in WORKFLOW[name].sources:
            raise Conflict(
                "invalid_transition",
                f"Impossible de passer à « {WORKFLOW.label(to_state)} » : la mise en relation est "
                f"« {WORKFLOW.label(match.state)} ».",
                "state",
            )

        def move_on(match):
            if name == workflow.NOT_FOR_ME:
                _reroute(match, actor=user, on=on)
            if name == workflow.TAKE_CARE and match.taken_care_at is None:
                match.taken_care_at = timezone.now()
            _touch(match.request_id)

        return WORKFLOW.perform(user, match, name, locked=True, apply=move_on)


def _touch(request_id):
    """The request's last activity, which archiving counts from."""
    Request.objects.filter(pk=request_id).update(touched_at=timezone.now())


def _reroute(declined, *, actor, on):
    """One new advisor never routed before for this request, from an organisation not already on it.

    Called while `declined` is being moved to "not for me": its organisation no longer holds the request.
    """
    request = declined.request
    matches = list(request.matches.values_list("pk", "advisor_id", "state", "advisor__organisation_id"))
    busy_organisations = {
        org for pk, _, state, org in matches if state not in DECLINED_MATCH_STATES and pk != declined.pk
    }
    advisors = routing.route(
        request,
        on=on,
        limit=1,
        exclude_advisors={advisor for _, advisor, _, _ in matches},
        excluded_organisations=busy_organisations,
    )
    _send_to(request, advisors, actor=actor)


def reassign_match(user, match, advisor):
    """A programme manager gives an open match to another advisor."""
    if not WORKFLOW.may(user, match, workflow.REASSIGN):
        raise workflow.refusal(workflow.MANAGER)
    if advisor.role != Role.ADVISOR or not advisor.is_active:
        raise ServiceError("not_an_advisor", gettext_noop("Choisissez un conseiller actif."), "advisor")
    with transaction.atomic():
        match = WORKFLOW.lock(match)
        if match.state not in WORKFLOW[workflow.REASSIGN].sources:
            raise Conflict(
                "closed",
                gettext_noop("Cette mise en relation est close : elle ne peut plus être réattribuée."),
            )
        if Match.objects.filter(request_id=match.request_id, advisor=advisor).exists():
            raise Conflict(
                "already_routed", gettext_noop("Ce conseiller a déjà reçu cette demande."), "advisor"
            )

        def hand_over(match):
            match.advisor = advisor
            match.reminders_sent = 0
            _touch(match.request_id)

        return WORKFLOW.perform(
            user,
            match,
            workflow.REASSIGN,
            locked=True,
            apply=hand_over,
            previous_advisor=match.advisor_id,
            advisor=advisor.pk,
        )


def assign_request(user, request, advisor):
    """A programme manager sends a request of the national queue to an advisor."""
    if not user.is_authenticated or user.role != Role.MANAGER:
        raise PermissionDenied(
            "forbidden", gettext_noop("Seuls les gestionnaires du programme peuvent orienter une demande.")
        )
    if advisor.role != Role.ADVISOR or not advisor.is_active:
        raise ServiceError("not_an_advisor", gettext_noop("Choisissez un conseiller actif."), "advisor")
    with transaction.atomic():
        request = Request.objects.select_for_update().get(pk=request.pk)
        if request.archived_at:
            raise Conflict(
                "archived", gettext_noop("Cette demande est archivée : elle ne peut plus être orientée.")
            )
        if request.matches.filter(advisor=advisor).exists():
            raise Conflict(
                "already_routed", gettext_noop("Ce conseiller a déjà reçu cette demande."), "advisor"
            )
        _send_to(request, [advisor.pk], actor=user)
        _touch(request.pk)
    return request


@programme_language
def send_match_reminders(on: date):
    """Remind advisors of matches still pending after 9, 21 and 45 days; each threshold once.

    A match overdue for several thresholds (jobs not run for a while) gets one email, for the latest.
    """
    sent = 0
    for rank in range(len(REMINDER_DAYS), 0, -1):
        days = REMINDER_DAYS[rank - 1]
        due = (
            Match.objects.filter(
                state=MatchState.PENDING,
                reminders_sent__lt=rank,
                created_at__lt=_local_day(on - timedelta(days=days - 1)),
                request__archived_at__isnull=True,
            )
            .select_related("advisor", "request__theme")
            .order_by("pk")
        )
        for match in due:
            with transaction.atomic():
                updated = Match.objects.filter(pk=match.pk, reminders_sent__lt=rank).update(
                    reminders_sent=rank
                )
                if not updated:
                    continue
                audit.record(match, actor=None, action="remind", days=days)
                notify(
                    match.advisor,
                    "Rappel : une demande vous attend depuis {days} jours",
                    "network/emails/reminder.txt",
                    subject_params={"days": days},
                    match=match,
                    request=match.request,
                    days=days,
                )
                sent += 1
    return sent


def _months_before(on: date, months: int) -> date:
    month_index = on.year * 12 + on.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(on.day, 28)
    return date(year, month + 1, day)


def archive_stale_requests(on: date):
    """Archive requests nobody touched for 6 months."""
    cutoff = _local_day(_months_before(on, ARCHIVE_AFTER_MONTHS))
    archived = 0
    now = timezone.now()
    stale = Request.objects.filter(archived_at__isnull=True, touched_at__lt=cutoff).order_by("pk")
    for request in stale:
        with transaction.atomic():
            if Request.objects.filter(pk=request.pk, archived_at__isnull=True).update(archived_at=now):
                audit.record(request, actor=None, action="archive", to_state="archived")
                archived += 1
    return archived


# Action log -----------------------------------------------------------------------------------------


def log_action(kind, advisor, company, on, **details):
    """Record one contact of an advisor with a company (diagnostics call this too)."""
    if kind not in ActionKind.values:
        raise ValueError(f"Unknown action kind: {kind}")
    action = Action.objects.create(
        kind=kind,
        advisor=advisor,
        organisation_id=advisor.organisation_id,
        company=company,
        departement_id=company.departement_id,
        on=on,
        awareness_session=details.pop("awareness_session", None),
        coaching_session=details.pop("coaching_session", None),
        details=details,
    )
    return action


def _require_advisor(user):
    if not user.is_authenticated or user.role != Role.ADVISOR:
        raise PermissionDenied(
            "forbidden", gettext_noop("Seuls les conseillers peuvent enregistrer des actions.")
        )


def record_awareness_session(user, *, on, theme, title, identifiers):
    """An awareness session and its attendance; returns (session, unknown identifiers).

    Identifiers are SIRETs or SIRENs as typed or read from a CSV; those not in the registry are
    reported back and not counted.
    """
    _require_advisor(user)
    if not title.strip():
        raise ServiceError("missing_title", gettext_noop("Donnez un intitulé à la session."), "title")
    companies, unknown = {}, []
    for raw in identifiers:
        number = normalise(raw)
        if not number:
            continue
        company = find_company(number[:9]) if len(number) in (9, 14) else None
        if company is None:
            unknown.append(raw.strip())
        else:
            companies[company.pk] = company
    with transaction.atomic():
        session = AwarenessSession.objects.create(on=on, theme=theme, title=title.strip(), organiser=user)
        for company in companies.values():
            log_action(ActionKind.AWARENESS, user, company, on, awareness_session=session)
        audit.record(
            session, actor=user, action="record_awareness", attendees=len(companies), unknown=unknown
        )
    return session, unknown


def record_coaching_session(user, *, company, on, hours, topic):
    _require_advisor(user)
    try:
        hours = Decimal(str(hours).replace(",", "."))
    except InvalidOperation:
        raise ServiceError(
            "invalid_hours", gettext_noop("Indiquez une durée en heures, par exemple 1,5."), "hours"
        ) from None
    if not (Decimal("0") < hours <= Decimal("100")):
        raise ServiceError(
            "invalid_hours", gettext_noop("La durée doit être comprise entre 0 et 100 heures."), "hours"
        )
    if not topic.strip():
        raise ServiceError("missing_topic", gettext_noop("Indiquez le sujet de la séance."), "topic")
    with transaction.atomic():
        session = CoachingSession.objects.create(
            advisor=user, company=company, on=on, hours=hours, topic=topic.strip()
        )
        log_action(ActionKind.COACHING, user, company, on, coaching_session=session)
        audit.record(session, actor=user, action="record_coaching", hours=str(hours))
    return session
