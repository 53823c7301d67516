from django.core.paginator import Paginator
from django.shortcuts import render

from tremplin.accounts.models import Role
from tremplin.core.web import require_role
from tremplin.fraud.flags import KINDS, all_flags


def flag_list(request):
    """The files with fraud flags, for the programme's auditors and managers, filterable by kind."""
    require_role(request.user, Role.AUDITOR, Role.MANAGER)
    kind = request.GET.get("type", "")
    if kind not in KINDS:
        kind = ""
    findings = all_flags()
    counts = {code: 0 for code in KINDS}
    for finding in findings:
        counts[finding.code] += 1
    rows = {}
    for finding in findings:
        if not kind or finding.code == kind:
            rows.setdefault(finding.application.pk, (finding.application, []))[1].append(finding)
    page = Paginator(list(rows.values()), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "fraud/list.html",
        {
            "page_obj": page,
            "kind": kind,
            "kinds": [(code, label, counts[code]) for code, label in KINDS.items()],
        },
    )
