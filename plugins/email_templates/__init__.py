"""Email templates, the Pending Emails outbox and SMTP sending (seed 001: BACK ORDER emails)."""

from core.options import PluginOptions

PLUGIN = "email_templates"
options = PluginOptions(PLUGIN)
