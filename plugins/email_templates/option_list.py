"""SMTP and sending options, declared once as data (the password is kept apart: see models.Secret)."""

from __future__ import annotations

from core.options import OptionTab

SECURITY = (("none", "None (plain SMTP)"), ("starttls", "STARTTLS"), ("ssl", "SSL/TLS"))

smtp = OptionTab("SMTP")
sending = OptionTab("Sending")

OPTIONS = [
    smtp.text("smtp_host", "", "SMTP server",
              "Host name of the mail server. Leave empty to deliver to the local mail sink "
              "(read on the Mailbox page)."),
    smtp.number("smtp_port", 25, "SMTP port", (1, 65535),
                "25 or 587 for STARTTLS, 465 for SSL/TLS."),
    smtp.choice("smtp_security", "none", "Connection security", SECURITY),
    smtp.text("smtp_user", "", "SMTP user name",
              "Leave empty when the server needs no login. The password is set on the Mail settings "
              "page, stored encrypted and never shown again."),
    smtp.text("from_address", "orderbridge@localhost", "From address",
              "The sender of every email, for example purchasing@yourcompany.com."),
    smtp.number("smtp_timeout", 30, "Timeout (seconds)", (1, 600)),
    smtp.number("sink_port", 8025, "Local mail sink port", (1, 65535),
                "Used when no SMTP server is set: the sink started by `make run` listens on 127.0.0.1."),
    sending.flag("send_automatically", "Send automatically",
                 "On: the background worker sends pending emails as they are queued. Off: they wait in "
                 "Pending Emails to be sent by hand or in batch."),
    sending.flag("email_po_to_vendor", "Email purchase orders to the vendor when sent",
                 "Send to vendor queues the PO TO VENDOR template with the purchase order as a PDF (needs an "
                 "active PO TO VENDOR template and the vendor's e-mail address).", default=True),
    sending.number("max_attempts", 5, "Attempts before giving up", (1, 50),
                   "Temporary errors (4xx, connection lost) are retried with a growing delay; after this "
                   "many attempts the email is marked failed for review."),
    sending.number("retry_delay_seconds", 60, "First retry delay (seconds)", (1, 86400),
                   "Doubled at each further attempt."),
    sending.number("stale_sending_minutes", 10, "Sending considered crashed after (minutes)", (1, 1440),
                   "An email still marked Sending after this long was interrupted by a crash: it is marked "
                   "failed for a person to look at, never resent blindly."),
]
