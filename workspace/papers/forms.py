from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from workspace.papers.services import KIND_LABELS
from workspace.workspaces.forms import choices


class PaperForm(FlaskForm):
    title = StringField(_l("Rubrik"), validators=[
        DataRequired(message=_l("Ange en rubrik.")), Length(max=300, message=_l("Högst 300 tecken."))])
    kind = SelectField(_l("Typ"), choices=choices(KIND_LABELS.items()))
    policy_area_id = SelectField(_l("Sakområde"), coerce=lambda v: int(v) if v not in (None, "", "None") else None)
    lead_organization_id = SelectField(_l("Ansvarig organisation"),
                                       coerce=lambda v: int(v) if v not in (None, "", "None") else None)
    registration_number = StringField(_l("Diarienummer"), validators=[
        Optional(), Length(max=60, message=_l("Högst 60 tecken."))],
        description=_l("Frivilligt. Krävs när papperet fastställs."))
    deadline = DateField(_l("Sista dag"), validators=[Optional()],
                         description=_l("Frivilligt, t.ex. remisstidens sista dag."))

    def fill_choices(self, areas, organizations):
        self.policy_area_id.choices = choices([("", _l("– inget –"))] + [(a.id, a.name) for a in areas])
        self.lead_organization_id.choices = choices([("", _l("– ingen –"))] + [(o.id, o.name) for o in organizations])


class SnapshotForm(FlaskForm):
    name = StringField(_l("Namn på versionen"), validators=[
        DataRequired(message=_l("Ge versionen ett namn.")), Length(max=200, message=_l("Högst 200 tecken."))],
        description=_l("T.ex. ”Remissversion 1” eller ”Inför styrelsemötet”."))
    note = TextAreaField(_l("Kommentar"), validators=[Optional(), Length(max=5000)])


class SectionTitleForm(FlaskForm):
    title = StringField(_l("Avsnittets rubrik"), validators=[
        DataRequired(message=_l("Ange en rubrik.")), Length(max=300, message=_l("Högst 300 tecken."))])
