"""Case reports (tjänsteutlåtanden): drafting, decision proposals, attachments, versions and
the review and approval workflow. Built in the case-report issue on top of the diarium."""
