from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from workspace.decisions.services import DECISION_LABELS, RATIFICATION_LABELS
from workspace.workspaces.forms import choices

NEW_VERSION = "new"


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RoundForm(FlaskForm):
    """What every round asks for, whatever it decides on (a paper, a priority list)."""

    deadline = DateTimeLocalField(_l("Sista dag och tid för beslut"), format="%Y-%m-%dT%H:%M", validators=[
        DataRequired(message=_l("Ange sista dag och tid för beslut."))])
    organizations = MultiCheckboxField(_l("Medlemsorganisationer som deltar"), coerce=int)
    message = TextAreaField(_l("Meddelande till deltagarna"), validators=[
        Optional(), Length(max=5000, message=_l("Högst 5000 tecken."))])

    def fill_organizations(self, organizations):
        self.organizations.choices = [(o.id, o.name) for o in organizations]


class OpenRoundForm(RoundForm):
    """A round on a paper: which named version, and the number it gets when adopted."""

    snapshot = SelectField(_l("Version som ska beslutas"), validators=[DataRequired(message=_l("Välj en version."))])
    new_version_name = StringField(_l("Namn på den nya versionen"), validators=[
        Length(max=200, message=_l("Högst 200 tecken."))],
        description=_l("Används när du sparar den nuvarande texten som en ny version, t.ex. ”Beslutsversion”."))
    registration_number = StringField(_l("Diarienummer när papperet fastställs"), validators=[
        DataRequired(message=_l("Ange det diarienummer papperet får när det fastställs.")),
        Length(max=60, message=_l("Högst 60 tecken."))])

    def fill_choices(self, snapshots, organizations):
        self.snapshot.choices = choices([(s.id, s.name) for s in snapshots]
                                        + [(NEW_VERSION, _l("Spara den nuvarande texten som en ny version"))])
        self.fill_organizations(organizations)

    def validate_new_version_name(self, field):
        from wtforms.validators import ValidationError

        if self.snapshot.data == NEW_VERSION and not (field.data or "").strip():
            raise ValidationError(_l("Ge den nya versionen ett namn."))


class DecisionForm(FlaskForm):
    kind = RadioField(_l("Organisationens ställningstagande"), choices=choices(DECISION_LABELS.items()),
                      validators=[DataRequired(message=_l("Välj ett ställningstagande."))])
    statement = TextAreaField(_l("Reservation, särskilt yttrande eller skäl till avslag"), validators=[
        Optional(), Length(max=5000, message=_l("Högst 5000 tecken."))],
        description=_l("Krävs vid reservation, särskilt yttrande och avslag."))
    note = TextAreaField(_l("Protokollsanteckning"), validators=[
        Optional(), Length(max=5000, message=_l("Högst 5000 tecken."))],
        description=_l("Frivilligt: en anteckning till protokollet."))


class RatificationForm(FlaskForm):
    status = SelectField(_l("Status"), choices=choices(RATIFICATION_LABELS.items()))
    registration_number = StringField(_l("Medlemmens diarienummer"), validators=[
        Optional(), Length(max=60, message=_l("Högst 60 tecken."))])
    body = StringField(_l("Beslutande organ"), validators=[Optional(), Length(max=160, message=_l("Högst 160 tecken."))],
                       description=_l("T.ex. regionstyrelsen eller kommunfullmäktige."))
    decided_on = DateField(_l("Beslutsdatum"), validators=[Optional()])
    paragraph = StringField(_l("Paragraf (§)"), validators=[Optional(), Length(max=30, message=_l("Högst 30 tecken."))])
