"""SMTP and sending options, declared once as data (the password is kept apart: see models.Secret)."""

from __future__ import annotations

from core.options import Option

SECURITY = (("none", "None (plain SMTP)"), ("starttls", "STARTTLS"), ("ssl", "SSL/TLS"))

OPTIONS = [
    Option("smtp_host", "text", "", "SMTP server", tab="SMTP",
           help="Host name of the mail server. Leave empty to deliver to the local mail sink "
                "(read on the Mailbox page)."),
    Option("smtp_port", "int", 25, "SMTP port", tab="SMTP", min=1, max=65535,
           help="25 or 587 for STARTTLS, 465 for SSL/TLS."),
    Option("smtp_security", "choice", "none", "Connection security", tab="SMTP", choices=SECURITY),
    Option("smtp_user", "text", "", "SMTP user name", tab="SMTP",
           help="Leave empty when the server needs no login. The password is set on the Mail settings "
                "page, stored encrypted and never shown again."),
    Option("from_address", "text", "orderbridge@localhost", "From address", tab="SMTP",
           help="The sender of every email, for example purchasing@yourcompany.com."),
    Option("smtp_timeout", "int", 30, "Timeout (seconds)", tab="SMTP", min=1, max=600),
    Option("sink_port", "int", 8025, "Local mail sink port", tab="SMTP", min=1, max=65535,
           help="Used when no SMTP server is set: the sink started by `make run` listens on 127.0.0.1."),
    Option("send_automatically", "bool", False, "Send automatically", tab="Sending",
           help="On: the background worker sends pending emails as they are queued. Off: they wait in "
                "Pending Emails to be sent by hand or in batch."),
    Option("email_po_to_vendor", "bool", True, "Email purchase orders to the vendor when sent", tab="Sending",
           help="Send to vendor queues the PO TO VENDOR template with the purchase order as a PDF (needs an "
                "active PO TO VENDOR template and the vendor's e-mail address)."),
    Option("max_attempts", "int", 5, "Attempts before giving up", tab="Sending", min=1, max=50,
           help="Temporary errors (4xx, connection lost) are retried with a growing delay; after this "
                "many attempts the email is marked failed for review."),
    Option("retry_delay_seconds", "int", 60, "First retry delay (seconds)", tab="Sending", min=1, max=86400,
           help="Doubled at each further attempt."),
    Option("stale_sending_minutes", "int", 10, "Sending considered crashed after (minutes)", tab="Sending",
           min=1, max=1440,
           help="An email still marked Sending after this long was interrupted by a crash: it is marked "
                "failed for a person to look at, never resent blindly."),
]
