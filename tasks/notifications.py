"""Sending the outbox's messages (placeholder: the notifications work fills this in)."""

from celery import shared_task


@shared_task(name="tasks.notifications.send_message")
def send_message(message_id: int) -> None:
    """Send one queued message."""
