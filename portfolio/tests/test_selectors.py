"""Reads of the portfolio that other floors take: the projects that enable savings."""

import pytest

from mps_ict.marking import ProtectiveMarking
from portfolio import selectors
from portfolio.choices import Stage
from portfolio.tests.factories import ProjectFactory
from savings.tests.factories import CategoryFactory, InitiativeFactory

pytestmark = pytest.mark.django_db
SENSITIVE = ProtectiveMarking.OFFICIAL_SENSITIVE


def test_savings_enablers_are_the_live_projects_linked_to_initiatives_by_code(role_user):
    category = CategoryFactory()
    first, second = (
        InitiativeFactory(category=category, reference="B"),
        InitiativeFactory(category=category, reference="A"),
    )
    later = ProjectFactory(code="PRJ-2")
    later.enables.add(first)
    earlier = ProjectFactory(code="PRJ-1")
    earlier.enables.add(first, second)
    ProjectFactory(code="PRJ-0")  # enables nothing
    ProjectFactory(code="PRJ-9", stage=Stage.CLOSED).enables.add(first)  # not live
    enablers = selectors.savings_enablers(reader=role_user("finance"))
    assert [p.code for p in enablers.projects] == ["PRJ-1", "PRJ-2"]
    assert [i.reference for i in enablers.projects[0].enables.all()] == ["A", "B"]
    assert enablers.withheld == 0


def test_savings_enablers_leave_out_withheld_projects_and_initiatives_and_count_the_projects(role_user):
    category = CategoryFactory()
    shown, marked = (
        InitiativeFactory(category=category),
        InitiativeFactory(category=category, protective_marking=SENSITIVE),
    )
    ProjectFactory(code="PRJ-1").enables.add(shown, marked)
    ProjectFactory(code="PRJ-2").enables.add(marked)  # enables only a withheld initiative
    ProjectFactory(code="PRJ-3", protective_marking=SENSITIVE).enables.add(shown)
    public = selectors.savings_enablers(reader=None)
    assert [p.code for p in public.projects] == ["PRJ-1"]
    assert list(public.projects[0].enables.all()) == [shown]
    assert public.withheld == 1
    everything = selectors.savings_enablers(reader=role_user("finance"))
    assert [p.code for p in everything.projects] == ["PRJ-1", "PRJ-2", "PRJ-3"]


def test_savings_enablers_take_the_same_queries_however_many_projects(django_assert_num_queries):
    category = CategoryFactory()
    for index in range(5):
        ProjectFactory().enables.add(InitiativeFactory(category=category), InitiativeFactory(category=category))
        if index == 0:
            with django_assert_num_queries(3):
                selectors.savings_enablers(reader=None)
    with django_assert_num_queries(3):
        selectors.savings_enablers(reader=None)


def test_withheld_projects_are_those_the_reader_may_not_see(role_user):
    ProjectFactory()
    marked = ProjectFactory(protective_marking=SENSITIVE)
    assert list(selectors.withheld_projects(user=None)) == [marked]
    assert not selectors.withheld_projects(user=role_user("finance")).exists()
