import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.diagnostics.conftest import client_for, completed
from tests.diagnostics.helpers import all_maximum, all_minimum, answers, ticks
from tests.factories import CompanyFactory, UserFactory
from tremplin.diagnostics import peers
from tremplin.diagnostics.models import PeerBucket, PeerGroup
from tremplin.diagnostics.peers import band_of, section_of


@pytest.mark.parametrize(
    ("bracket", "band"),
    [
        ("NN", "0"),
        ("00", "0"),
        ("", "0"),
        ("01", "1-9"),
        ("03", "1-9"),
        ("11", "10-49"),
        ("12", "10-49"),
        ("21", "50+"),
        ("53", "50+"),
    ],
)
def test_headcount_brackets_fall_into_four_bands(bracket, band):
    assert band_of(bracket) == band


@pytest.mark.parametrize(
    ("naf", "section"),
    [("10.71C", "C"), ("62.01Z", "J"), ("01.11Z", "A"), ("99.00Z", "U"), ("", ""), ("XX", "")],
)
def test_naf_codes_map_to_their_section(naf, section):
    assert section_of(naf) == section


def fill(count, departement, naf="10.71C", bracket="02", data=None):
    """`count` completed diagnostics by distinct owners of distinct companies."""
    for _ in range(count):
        owner = UserFactory()
        completed(
            owner,
            CompanyFactory(departement=departement, naf_code=naf, headcount_bracket=bracket),
            data or all_minimum(),
        )


def test_with_fewer_than_20_diagnostics_no_group_is_shown(owner, company, rhone):
    fill(18, rhone)
    mine = completed(owner, company, all_maximum())
    assert PeerGroup.objects.get(key="all").total == 19
    assert peers.position(mine) is None
    html = client_for(owner).get(reverse("diagnostics:results", args=[mine.pk])).content.decode()
    assert "Pas encore de comparaison" in html


def test_the_most_specific_group_of_20_is_used(owner, company, rhone):
    fill(19, rhone)
    mine = completed(owner, company, all_maximum())
    position = peers.position(mine)
    assert position.key == "s:C|b:1-9|r:84"
    assert position.level == "section_band_region"
    assert position.total == 20
    assert position.percentile == 98  # 19 below, itself counted half
    assert position.median == 0


def test_a_small_regional_group_falls_back_to_section_and_band(owner, company, rhone, ille):
    fill(5, rhone)
    fill(15, ille)
    mine = completed(owner, company, all_maximum())
    position = peers.position(mine)
    assert position.key == "s:C|b:1-9"
    html = client_for(owner).get(reverse("diagnostics:results", args=[mine.pk])).content.decode()
    assert "1 à 9 salariés" in html
    assert "élargi le groupe" in html
    assert "Auvergne" not in html.split("Comparaison")[1].split("</p>")[0]


def test_then_to_the_section_then_to_everyone(owner, company, rhone, ille):
    fill(10, rhone, bracket="11")
    fill(10, ille, bracket="NN")
    mine = completed(owner, company)
    assert peers.position(mine).key == "s:C"
    fill(20, ille, naf="62.01Z")
    other = completed(UserFactory(), CompanyFactory(departement=rhone, naf_code="56.10A"))
    assert peers.position(other).key == "all"
    assert peers.position(other).level == "all"


def test_median_and_percentile_come_from_the_histogram(owner, company, rhone):
    fill(10, rhone, data=all_minimum())
    fill(10, rhone, data=answers(q2=ticks("q2", 10), q3=ticks("q3", 10)))  # overall 16.66 -> bucket 16
    mine = completed(owner, company, answers(q2=ticks("q2", 10)))  # 8.33 -> bucket 8
    position = peers.position(mine)
    assert position.total == 21
    assert position.median == 8  # the 11th of 21 is this diagnostic itself
    assert position.percentile == round(100 * (10 + 0.5) / 21)


def test_rebuild_recomputes_the_same_statistics(owner, company, rhone, ille):
    fill(3, rhone)
    fill(2, ille, naf="62.01Z", bracket="11", data=all_maximum())
    completed(owner, company, answers(q3=ticks("q3", 7)))
    before = set(PeerBucket.objects.values_list("group_key", "bucket", "count"))
    totals = set(PeerGroup.objects.values_list("key", "total"))
    PeerBucket.objects.all().delete()
    PeerGroup.objects.update(total=0)
    call_command("rebuild_peer_stats", stdout=io.StringIO())
    assert set(PeerBucket.objects.values_list("group_key", "bucket", "count")) == before
    assert set(PeerGroup.objects.values_list("key", "total")) == totals


def test_the_results_page_reads_statistics_with_a_fixed_number_of_queries(owner, company, rhone):
    fill(20, rhone)
    mine = completed(owner, company, all_minimum())
    client = client_for(owner)
    url = reverse("diagnostics:results", args=[mine.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    fill(5, rhone)
    with CaptureQueriesContext(connection) as second:
        response = client.get(url)
    assert response.status_code == 200
    # session, user, diagnostic, history, peer totals, peer histogram, NAF section label,
    # rules, open scheme, providers for each linked spend category (4 here)
    assert len(first) == 14, "\n".join(q["sql"] for q in first.captured_queries)
    assert len(second) == len(first)
    assert not any("COUNT(" in q["sql"].upper() for q in second.captured_queries), "\n".join(
        q["sql"] for q in second.captured_queries
    )
