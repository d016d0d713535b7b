from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from workspace.priorities.services import MAX_DESCRIPTION, MAX_TITLE
from workspace.workspaces.forms import choices


def _optional_int(v):
    return int(v) if v not in (None, "", "None") else None


class ListForm(FlaskForm):
    # Parsed by the service, whose message is the one shown (also for "abc").
    year = StringField(_l("År"))
    source = SelectField(_l("Utgå från"), coerce=_optional_int, validate_choice=False,
                         description=_l("Välj ett tidigare år för att föra över dess prioriteringar "
                                        "(de behåller sin historik)."))

    def fill_choices(self, lists):
        self.source.choices = choices([("", _l("– en tom lista –"))] +
                                      [(pl.year, pl.title) for pl in lists])


class ItemForm(FlaskForm):
    title = StringField(_l("Prioritering"), validators=[
        DataRequired(message=_l("Ange en rubrik.")),
        Length(max=MAX_TITLE, message=_l("Högst %(max)d tecken."))])
    description = TextAreaField(_l("Beskrivning"), validators=[
        Optional(), Length(max=MAX_DESCRIPTION, message=_l("Högst %(max)d tecken."))])
    responsible_organization_id = SelectField(_l("Ansvarig organisation"), coerce=_optional_int,
                                              validate_choice=False)

    def fill_choices(self, organizations):
        self.responsible_organization_id.choices = choices(
            [("", _l("– ingen –"))] + [(o.id, o.name) for o in organizations])
