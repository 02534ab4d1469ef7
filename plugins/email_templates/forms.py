"""Forms of the email pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from core.forms import Email


class TemplateForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter a name."), Length(max=64)])
    type = SelectField("Type", validate_choice=False)
    subject = StringField("Subject", validators=[Length(max=250)])
    body_html = TextAreaField("HTML body", render_kw={"rows": 12})
    body_text = TextAreaField("Text body", render_kw={"rows": 10})
    active = BooleanField("Active", default=True)
    preview_po = StringField("Preview with document", validators=[Length(max=20)],
                             description="BACK ORDER and PO TO VENDOR: a purchase order number (for BACK ORDER, "
                                         "one whose lines serve sales orders); ORDER ACKNOWLEDGEMENT: a sales "
                                         "order number; empty: sample data.")


class PasswordForm(FlaskForm):
    password = PasswordField("SMTP password", validators=[Length(max=200)],
                             description="Stored, never shown again and never exported. Leave empty and save "
                                         "to remove it.")


class TestMessageForm(FlaskForm):
    to = StringField("Send a test message to", validators=[DataRequired("Enter an e-mail address."),
                                                           Email(), Length(max=254)])
