"""Case reports (tjänsteutlåtanden): drafting, decision proposals, attachments, versions and
the review and approval workflow (see states.TRANSITIONS)."""
