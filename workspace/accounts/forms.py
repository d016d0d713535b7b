from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from workspace.accounts.passwords import MAX_LENGTH, MIN_LENGTH


def new_password_fields():
    new = PasswordField(
        _l("Nytt lösenord"),
        validators=[
            DataRequired(message=_l("Ange ett lösenord.")),
            Length(min=MIN_LENGTH, max=MAX_LENGTH,
                   message=_l("Lösenordet ska vara mellan %(min)d och %(max)d tecken.")),
        ],
        description=_l("Minst %(min)d tecken.", min=MIN_LENGTH),
    )
    confirm = PasswordField(
        _l("Upprepa lösenordet"),
        validators=[
            DataRequired(message=_l("Upprepa lösenordet.")),
            EqualTo("password", message=_l("Lösenorden är inte lika.")),
        ],
    )
    return new, confirm


class LoginForm(FlaskForm):
    email = EmailField(_l("E-postadress"), validators=[
        DataRequired(message=_l("Ange din e-postadress.")), Length(max=254)])
    password = PasswordField(_l("Lösenord"), validators=[
        DataRequired(message=_l("Ange ditt lösenord.")), Length(max=MAX_LENGTH)])
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-postadress"), validators=[
        DataRequired(message=_l("Ange din e-postadress.")),
        Email(message=_l("Det där ser inte ut som en e-postadress.")), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password, confirm = new_password_fields()


class AcceptInvitationForm(FlaskForm):
    name = StringField(_l("Ditt namn"), validators=[
        DataRequired(message=_l("Ange ditt namn.")), Length(max=120, message=_l("Namnet är för långt."))])
    password, confirm = new_password_fields()


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Nuvarande lösenord"), validators=[
        DataRequired(message=_l("Ange ditt nuvarande lösenord.")), Length(max=MAX_LENGTH)])
    password, confirm = new_password_fields()
