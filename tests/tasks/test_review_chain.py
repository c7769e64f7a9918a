"""Notifications of the review chain: through a real worker into the outbox (and by SMTP), and reminders.

The chain test starts ``celery -A tasks.worker worker`` as a process of its own (fixtures in
conftest.py); the tests of single tasks run them in this process with ``apply``.
"""

from __future__ import annotations

import smtplib
import socket
from datetime import date, datetime, timedelta
from email import message_from_bytes, policy

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.clock import LOCAL_TZ, local_today, utcnow
from app.extensions import db
from app.notifications import MessageState, OutboxMessage, queue_message
from app.registry.models import Case
from tasks import notifications
from tasks.notifications import remind_overdue, send_message
from tests.factories import submit_report
from tests.moments import MOMENTS
from tests.workers import wait_for, worker_app
from workflows import operations as ops
from workflows.models import CaseReport, ReportState

DOMAIN = "huddinge.example"
#: a case of the controller's with å, ä and ö in its title
CASE_NUMBER = "SN-2016/2624.719"
TITLE = "Uppföljning av Familjerådgivningen City Mentea"
SITE = "https://namndflode.huddinge.example"


def user(key: str) -> User:
    return db.session.scalar(select(User).where(User.email == f"{key}@{DOMAIN}"))


def outbox() -> list[tuple[str, str, MessageState]]:
    db.session.remove()
    rows = db.session.execute(
        select(OutboxMessage.to_address, OutboxMessage.subject, OutboxMessage.state).order_by(OutboxMessage.id)
    ).all()
    db.session.remove()
    return [tuple(r) for r in rows]


# -- the whole chain through a real worker -------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every mail it receives."""

    def __init__(self):
        self.mails = []

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        self.mails.append((envelope.rcpt_tos, envelope.content, parsed))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 and a free port; ``.mails`` holds what arrived."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


def _act(app, key: str, action) -> None:
    """Do ``action(user)`` as a view does: in a request, then commit (which hands the messages to the worker)."""
    with app.test_request_context():
        action(user(key))
        db.session.commit()


@pytest.mark.slow
@pytest.mark.parametrize("mail", ["outbox", "smtp"])
def test_review_chain_tells_each_next_person_through_a_real_worker(worker_env, start_worker, tmp_path, request, mail):
    env, queue = worker_env
    mail_env = {}
    if mail == "smtp":
        inbox = request.getfixturevalue("smtp_server")
        mail_env = {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(inbox.port),
            "PUBLIC_BASE_URL": SITE,
            "MAIL_FROM": f"Nämndflöde <noreply@{DOMAIN}>",
        }
    start_worker(mail_env)
    app = worker_app(env, queue)

    with app.app_context():
        case_id = db.session.scalar(select(Case.id).where(Case.number == CASE_NUMBER))
    _act(app, "controller", lambda u: submit_report(db.session.get(Case, case_id), u))

    def on_report(name):
        return lambda u: ops.transition(ops.report_for(db.session.get(Case, case_id)), user=u, name=name)

    _act(app, "enhetschef", on_report("approve"))
    _act(app, "direktor", on_report("sign"))

    with app.app_context():
        pending = (MessageState.queued, MessageState.sending)
        wait_for(
            lambda: outbox() and all(state not in pending for *_, state in outbox()),
            60,
            "the worker to take every message",
            tmp_path / "worker.log",
        )
        messages = outbox()
        report = ops.report_for(db.session.get(Case, case_id))
        assert report.state is ReportState.signed

    state = MessageState.sent if mail == "smtp" else MessageState.kept
    expected = [
        (f"enhetschef@{DOMAIN}", f"Att granska: {TITLE} ({CASE_NUMBER})", state),
        (f"direktor@{DOMAIN}", f"Att underteckna: {TITLE} ({CASE_NUMBER})", state),
        (f"controller@{DOMAIN}", f"Undertecknat och klart för nämnden: {TITLE} ({CASE_NUMBER})", state),
        (f"sekreterare@{DOMAIN}", f"Undertecknat och klart för nämnden: {TITLE} ({CASE_NUMBER})", state),
    ]
    assert sorted(messages) == sorted(expected)
    if mail == "smtp":
        received = sorted((tuple(rcpt), m["To"].addresses[0].addr_spec, m["Subject"]) for rcpt, _raw, m in inbox.mails)
        assert received == sorted(((to,), to, subject) for to, subject, _ in expected)
        names = {m["To"].addresses[0].display_name for *_, m in inbox.mails}
        assert names == {"Per Sundberg", "Eva Strand", "Maria Holm", "Sara Lindqvist"}
        for _rcpt, raw, m in inbox.mails:
            assert raw.isascii()  # UTF-8 headers as encoded words, the body transfer-encoded
            assert m["From"] == f"Nämndflöde <noreply@{DOMAIN}>"
            assert f"Öppna utlåtandet: {SITE}/arenden/{case_id}/utlatande" in m.get_content()
        with app.app_context():
            assert (
                db.session.scalar(
                    select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_dt.is_(None))
                )
                == 0
            )


# -- send_message in this process ------------------------------------------------------------------


@pytest.fixture
def message(app, demo):
    """A queued message to the reviewer, committed."""
    found = queue_message(
        user("enhetschef"),
        "Att granska: Årsredovisning",
        "Hej!\n\nÖppna: /arenden/1/utlatande",
        link="/arenden/1/utlatande",
    )
    db.session.commit()
    return found.id


def _send(message_id: int) -> OutboxMessage:
    db.session.commit()
    send_message.apply(args=[message_id])
    db.session.remove()
    return db.session.get(OutboxMessage, message_id)


def test_without_a_mail_server_the_message_is_kept_in_the_outbox(message):
    sent = _send(message)
    assert sent.state is MessageState.kept and sent.sent_dt is None


def test_a_message_no_longer_queued_is_not_sent_again(app, message, monkeypatch):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port())
    monkeypatch.setattr(notifications, "deliver", lambda *a: pytest.fail("sent twice"))
    db.session.get(OutboxMessage, message).state = MessageState.sent
    assert _send(message).state is MessageState.sent


def test_a_second_delivery_while_the_first_is_sending_does_not_send_again(app, message, monkeypatch):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=25)
    delivered = []

    def deliver(mail, config):
        # The same task delivered again (a stale re-send) while this one talks to the server.
        if not delivered:
            delivered.append(mail["To"])
            send_message.apply(args=[message])
            return
        delivered.append(mail["To"])

    monkeypatch.setattr(notifications, "deliver", deliver)
    sent = _send(message)
    assert sent.state is MessageState.sent and len(delivered) == 1


def test_smtp_failures_are_retried_with_back_off_then_recorded(app, message, monkeypatch):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port())  # nothing listens there
    countdowns = []
    original = send_message.retry
    monkeypatch.setattr(send_message, "retry", lambda **kw: countdowns.append(kw["countdown"]) or original(**kw))
    failed = _send(message)
    assert failed.state is MessageState.failed and "ConnectionRefusedError" in failed.error
    assert countdowns == [10, 20, 40, 80]


def test_a_permanent_refusal_fails_at_once(app, message, monkeypatch):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=25)

    def refuse(*_):
        raise smtplib.SMTPRecipientsRefused({f"enhetschef@{DOMAIN}": (550, b"No such user")})

    monkeypatch.setattr(notifications, "deliver", refuse)
    failed = _send(message)
    assert failed.state is MessageState.failed and "550" in failed.error


def test_an_address_no_email_can_carry_fails_at_once(app, message, monkeypatch):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=25)
    monkeypatch.setattr(notifications, "deliver", lambda *a: pytest.fail("sent"))
    db.session.get(OutboxMessage, message).to_address = "enhetschef@@huddinge.example"
    failed = _send(message)
    assert failed.state is MessageState.failed and failed.error.startswith("Ogiltigt meddelande")


def test_the_link_in_an_email_is_absolute():
    body = notifications.absolute_body("Öppna: /arenden/1/utlatande\n\nHej", "/arenden/1/utlatande", SITE)
    assert body == f"Öppna: {SITE}/arenden/1/utlatande\n\nHej"
    assert notifications.absolute_body("Hej", "/arenden/1/utlatande", SITE).endswith(f"{SITE}/arenden/1/utlatande\n")
    assert notifications.absolute_body("Se /arenden/12/utlatande", "/arenden/1/utlatande", SITE).count(SITE) == 1


# -- reminders of overdue steps ----------------------------------------------------------------


@pytest.fixture
def sent(monkeypatch):
    """The message ids handed to the worker after each commit (recorded instead of enqueued)."""
    ids = []
    monkeypatch.setattr(send_message, "delay", ids.append)
    return ids


def _overdue_report(state_after: str | None = None) -> CaseReport:
    case = db.session.scalar(select(Case).where(Case.number == CASE_NUMBER))
    report = submit_report(case, user("controller"))
    if state_after:
        ops.transition(report, user=user("enhetschef"), name=state_after)
    report.due_on = local_today() - timedelta(days=1)
    db.session.commit()
    return report


def remind() -> None:
    """Run the hourly sweep as the worker would, from a session that holds no lock; its failure fails the test."""
    db.session.remove()
    remind_overdue.apply().get()


def _reminders() -> list[OutboxMessage]:
    db.session.remove()
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.subject.startswith("Påminnelse")).order_by(OutboxMessage.id)
        )
    )


@pytest.mark.moments
def test_an_overdue_review_reminds_each_reviewer_once_a_day(app, demo, sent):
    report = _overdue_report()
    report_id, due = report.id, report.due_on
    db.session.commit()
    sent.clear()  # the messages of the submit itself
    remind()
    reminders = _reminders()
    assert [m.to_address for m in reminders] == [f"enhetschef@{DOMAIN}"]
    assert reminders[0].subject == (f"Påminnelse: {TITLE} ({CASE_NUMBER}) skulle ha granskats senast {due.isoformat()}")
    assert reminders[0].state is MessageState.queued and sent == [reminders[0].id]
    assert db.session.get(CaseReport, report_id).reminded_on == local_today()

    remind()
    assert len(_reminders()) == 1 and len(sent) == 1


def test_once_a_day_means_the_local_day_not_utc(app, demo, sent):
    """23:30 on 31 December and 00:05 on 1 January are one UTC day but two Swedish ones: two reminders."""
    with time_machine.travel(MOMENTS["nyarsafton"], tick=False) as clock:
        report_id = _overdue_report().id  # due 30 December
        remind()
        assert len(_reminders()) == 1
        clock.move_to(MOMENTS["nyarsdagen"])
        remind()
        assert len(_reminders()) == 2
        assert db.session.get(CaseReport, report_id).reminded_on == date(2027, 1, 1)
        clock.move_to(datetime(2027, 1, 1, 23, 55, tzinfo=LOCAL_TZ))
        remind()
        assert len(_reminders()) == 2


@pytest.mark.moments
def test_an_overdue_signature_reminds_the_approver(app, demo, sent):
    _overdue_report("approve")
    remind()
    reminders = _reminders()
    assert [m.to_address for m in reminders] == [f"direktor@{DOMAIN}"]
    assert "skulle ha undertecknats senast" in reminders[0].subject


@pytest.mark.moments
def test_a_step_not_yet_overdue_gets_no_reminder(app, demo, sent):
    report = _overdue_report()
    report.due_on = local_today()
    db.session.commit()
    sent.clear()  # the messages of the submit itself
    remind()
    assert _reminders() == [] and sent == []


def _refused(_message_id):
    raise ConnectionRefusedError("the broker is down")


def test_messages_are_handed_to_the_worker_when_their_transaction_commits_and_only_then(app, demo, sent):
    kept = queue_message(user("enhetschef"), "Behålls", "Hej").id
    assert sent == []  # not before the commit
    db.session.commit()
    assert sent == [kept]
    queue_message(user("direktor"), "Ångras", "Hej")
    db.session.rollback()
    db.session.commit()
    assert sent == [kept]
    with db.session.begin_nested():
        inner = queue_message(user("direktor"), "I en sparpunkt", "Hej").id
    assert sent == [kept]  # a released savepoint is not the commit
    db.session.commit()
    assert sent == [kept, inner]


@pytest.mark.moments
def test_messages_left_queued_by_a_broker_outage_are_sent_again(app, demo, sent, monkeypatch):
    old = queue_message(user("enhetschef"), "Gammalt", "Hej")
    old.created_dt = utcnow() - timedelta(minutes=30)
    new = queue_message(user("direktor"), "Nytt", "Hej")
    done = queue_message(user("controller"), "Klart", "Hej")
    done.created_dt, done.state = utcnow() - timedelta(minutes=30), MessageState.kept
    old_id, new_id = old.id, new.id
    with monkeypatch.context() as broker_down:
        broker_down.setattr(send_message, "delay", _refused)
        db.session.commit()  # kept, though not handed to a worker
    assert sent == [] and db.session.get(OutboxMessage, old_id).state is MessageState.queued
    remind()
    assert sent == [old_id] and new_id not in sent


@pytest.mark.moments
def test_a_send_whose_worker_stopped_is_marked_failed_not_sent_again(app, demo, sent, login_as):
    """A worker killed mid-SMTP leaves its message "sending"; the hourly sweep ends it as failed, saying it may
    have arrived (sending again could send twice). One still being sent is left alone."""
    interrupted = queue_message(user("enhetschef"), "Avbrutet", "Hej", case_id=1)
    running = queue_message(user("direktor"), "Pågår", "Hej", case_id=1)
    interrupted.state = running.state = MessageState.sending
    interrupted.claimed_dt = utcnow() - timedelta(minutes=31)
    running.claimed_dt = utcnow() - timedelta(minutes=2)
    ids = interrupted.id, running.id
    db.session.commit()
    sent.clear()  # their commit handed them over once
    remind()
    db.session.remove()
    interrupted, running = (db.session.get(OutboxMessage, i) for i in ids)
    assert interrupted.state is MessageState.failed and interrupted.error == notifications.INTERRUPTED
    assert "okänt om det kom fram" in interrupted.error and interrupted.sent_dt is None
    assert running.state is MessageState.sending and running.error is None
    assert sent == []  # neither is handed to a worker again
    page = login_as("enhetschef").get("/utkorg").get_data(as_text=True)  # the recipient sees it in the outbox
    assert "Avbrutet" in page and "Sändningen avbröts" in page


def test_a_worker_records_when_it_began_sending(app, message, monkeypatch):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=25)
    seen = []

    def deliver(mail, config):  # what another connection sees while the message is handed to the server
        with Session(db.engine) as session:
            seen.append(
                session.execute(
                    select(OutboxMessage.state, OutboxMessage.claimed_dt).where(OutboxMessage.id == message)
                ).one()
            )

    monkeypatch.setattr(notifications, "deliver", deliver)
    before = utcnow()
    sent_message = _send(message)
    assert seen[0][0] is MessageState.sending and seen[0][1] >= before - timedelta(seconds=1)
    assert sent_message.state is MessageState.sent and sent_message.claimed_dt == seen[0][1]
