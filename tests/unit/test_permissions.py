"""The permission table, on objects that need no database."""

from dataclasses import dataclass

import pytest
from werkzeug.exceptions import Forbidden, NotFound

from agenda.models import Meeting
from app.auth.models import CommitteeRole, Role, User
from app.permissions import Action, AskedFor, CaseLike, HeldByCommittee, can, committees_where, require
from app.registry.models import Case
from tasks.models import Job


def user_with(uid: int, **roles_by_committee) -> User:
    user = User(id=uid, email=f"u{uid}@x", name=f"U{uid}", is_enabled=True)
    user.roles = [CommitteeRole(committee_id=int(c[1:]), role=r) for c, rs in roles_by_committee.items() for r in rs]
    return user


def case(committee_id=1, confidential=False, officer_id=None) -> Case:
    return Case(id=10, committee_id=committee_id, is_confidential=confidential, case_officer_id=officer_id)


MEMBER = user_with(1, c1=[Role.member])
REGISTRAR = user_with(2, c1=[Role.registrar])
OFFICER = user_with(3, c1=[Role.case_officer])
OUTSIDER = user_with(4, c2=[Role.admin])


@pytest.mark.parametrize("user, expected", [(MEMBER, False), (REGISTRAR, True), (OFFICER, False), (OUTSIDER, False)])
def test_confidential_case_is_seen_only_with_the_right_role(user, expected):
    assert can(user, Action.view_case, case(confidential=True)) is expected


def test_the_responsible_officer_sees_their_confidential_case():
    assert can(OFFICER, Action.view_case, case(confidential=True, officer_id=3))
    assert can(OFFICER, Action.view_confidential, case(confidential=True, officer_id=3))


@pytest.mark.parametrize("user, expected", [(MEMBER, False), (REGISTRAR, True), (OFFICER, False)])
def test_secrets_of_an_open_case_need_the_same_right(user, expected):
    """A member may read an open case but not the confidential documents and parties on it."""
    open_case = case(confidential=False)
    assert can(user, Action.view_case, open_case)
    assert can(user, Action.view_confidential, open_case) is expected


def test_another_committees_case_is_invisible():
    assert not can(OUTSIDER, Action.view_case, case(committee_id=1))
    assert not can(MEMBER, Action.view_case, case(committee_id=2))


@pytest.mark.parametrize(
    "action, allowed",
    [
        (Action.register_case, {2, 3}),
        (Action.void_case, {2}),
        (Action.export_registry, {2}),
        (Action.view_case_history, {2, 3}),
    ],
)
def test_role_table(action, allowed):
    users = [MEMBER, REGISTRAR, OFFICER]
    assert {u.id for u in users if 1 in committees_where(u, action)} == allowed


def test_disabled_and_anonymous_users_may_do_nothing():
    disabled = user_with(5, c1=[Role.admin])
    disabled.is_enabled = False
    assert committees_where(disabled, Action.view_case) == set()
    assert not can(None, Action.view_case, case())


# -- the domains' objects, judged by what they show (app.permissions imports no domain) -------------


@dataclass
class Held:
    committee_id: int


@dataclass
class Asked:
    created_by_id: int | None
    committee_id: int | None = None


def test_the_domains_objects_fit_the_protocols_they_are_judged_by():
    assert isinstance(case(), CaseLike)
    assert isinstance(Meeting(committee_id=1), HeldByCommittee) and not isinstance(Meeting(committee_id=1), CaseLike)
    assert isinstance(Job(created_by_id=1, committee_id=1), AskedFor)
    assert not isinstance(Job(created_by_id=1, committee_id=1), CaseLike)


def test_what_a_committee_holds_is_judged_by_its_roles_there():
    assert can(MEMBER, Action.view_meetings, Held(1))
    assert not can(MEMBER, Action.manage_meetings, Held(1))
    assert not can(OUTSIDER, Action.view_meetings, Held(1))


def test_a_job_is_followed_only_by_the_user_who_asked_for_it():
    job = Asked(created_by_id=MEMBER.id, committee_id=1)
    assert can(MEMBER, Action.view_job, job)
    assert not can(REGISTRAR, Action.view_job, job)  # the same committee, not theirs
    assert not can(MEMBER, Action.view_job, Held(1))  # nothing anyone asked for


def test_refusals_say_404_where_knowing_the_object_is_not_allowed():
    with pytest.raises(NotFound):
        require(MEMBER, Action.view_case, case(confidential=True))
    with pytest.raises(Forbidden):
        require(MEMBER, Action.edit_case, case())
    with pytest.raises(NotFound):
        require(OUTSIDER, Action.manage_meetings, Held(1))
    with pytest.raises(Forbidden):
        require(MEMBER, Action.manage_meetings, Held(1))
    with pytest.raises(NotFound):
        require(REGISTRAR, Action.view_job, Asked(created_by_id=MEMBER.id, committee_id=1))


def test_an_object_no_rule_covers_is_an_error_not_a_refusal():
    with pytest.raises(TypeError):
        can(MEMBER, Action.view_case, object())


# -- the municipality's own actions: a role held in the municipality, not in one of its committees -----


def test_municipality_wide_actions_need_the_municipality_role_not_a_committee_admin():
    from app.auth.models import MunicipalityRole, MunicipalRole
    from app.organisation.models import Committee, Municipality
    from app.permissions import MUNICIPALITY_RULES

    municipal_admin = user_with(6)
    municipal_admin.municipality_roles = [MunicipalityRole(municipality_id=1, role=MunicipalRole.admin)]
    committee_admin = user_with(7, c1=[Role.admin])
    committee_admin.municipality_roles = []
    home, elsewhere = Municipality(id=1, name="Hemma"), Municipality(id=2, name="Borta")
    assert MUNICIPALITY_RULES  # manage_users, manage_classification, manage_organisation …
    for action in MUNICIPALITY_RULES:
        assert can(municipal_admin, action, home)
        assert can(municipal_admin, action, Committee(id=5, municipality_id=1))
        assert not can(municipal_admin, action, elsewhere)
        assert not can(municipal_admin, action, Committee(id=9, municipality_id=2))
        assert not can(committee_admin, action, home)
        assert not can(committee_admin, action, Committee(id=1, municipality_id=1))
    # What concerns one committee stays with its administrator, and the municipality's does not include it.
    assert can(committee_admin, Action.manage_review_rules, Committee(id=1, municipality_id=1))
    assert not can(municipal_admin, Action.manage_review_rules, Committee(id=5, municipality_id=1))
    assert not can(municipal_admin, Action.view_confidential, case(committee_id=5))
