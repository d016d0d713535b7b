from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

ROLE_LABELS = {
    "official": _l("Tjänsteman"),
    "politician": _l("Förtroendevald"),
    "secretariat": _l("Kansli"),
    "reader": _l("Läsare"),
}


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(str(value), label) for value, label in pairs]


SIDE_LABELS = {"ruling": _l("Majoritet"), "opposition": _l("Opposition")}
RULE_LABELS = {
    "consensus": _l("Konsensus: alla medlemmar ska ställa sig bakom"),
    "majority": _l("Majoritet: mer än hälften av medlemmarna"),
}


class WorkspaceForm(FlaskForm):
    name = StringField(_l("Namn"), validators=[
        DataRequired(message=_l("Ange ett namn.")), Length(max=160, message=_l("Högst 160 tecken."))])
    description = TextAreaField(_l("Beskrivning"), validators=[
        Optional(), Length(max=5000, message=_l("Högst 5000 tecken."))])
    decision_rule = RadioField(
        _l("Beslutsregel"),
        choices=choices(RULE_LABELS.items()),
        validators=[DataRequired(message=_l("Välj en beslutsregel."))],
    )


class AddOrganizationForm(FlaskForm):
    name = StringField(_l("Ny medlemsorganisation"), validators=[
        DataRequired(message=_l("Ange organisationens namn.")),
        Length(max=160, message=_l("Högst 160 tecken."))])


class RoleForm(FlaskForm):
    role = SelectField(_l("Roll"), choices=choices(ROLE_LABELS.items()))
    political_side = SelectField(
        _l("Politisk tillhörighet"),
        choices=choices([("", _l("– (endast förtroendevalda)"))] + list(SIDE_LABELS.items())),
        validators=[Optional()],
    )


class InviteForm(RoleForm):
    email = EmailField(_l("E-postadress"), validators=[
        DataRequired(message=_l("Ange en e-postadress.")),
        Email(message=_l("Det där ser inte ut som en e-postadress.")),
        Length(max=254)])
    name = StringField(_l("Namn"), validators=[
        DataRequired(message=_l("Ange personens namn.")), Length(max=120, message=_l("Högst 120 tecken."))])
    organization_id = SelectField(_l("Organisation"), coerce=int,
                                  validate_choice=True)

    def validate_political_side(self, field):
        from wtforms.validators import ValidationError

        if self.role.data == "politician" and not field.data:
            raise ValidationError(_l("Ange om förtroendevalda tillhör majoritet eller opposition."))
