"""The permission table, on objects that need no database."""

import pytest

from app.auth.models import CommitteeRole, Role, User
from app.permissions import Action, can, committees_where
from app.registry.models import Case


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


@pytest.mark.parametrize("action, allowed", [
    (Action.register_case, {2, 3}), (Action.void_case, {2}), (Action.export_registry, {2}),
    (Action.view_case_history, {2, 3}),
])
def test_role_table(action, allowed):
    users = [MEMBER, REGISTRAR, OFFICER]
    assert {u.id for u in users if 1 in committees_where(u, action)} == allowed


def test_disabled_and_anonymous_users_may_do_nothing():
    disabled = user_with(5, c1=[Role.admin])
    disabled.is_enabled = False
    assert committees_where(disabled, Action.view_case) == set()
    assert not can(None, Action.view_case, case())
