from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional


class ReportForm(FlaskForm):
    description = TextAreaField(_l("Beskriv problemet"), validators=[
        DataRequired(message=_l("Beskriv vad som inte fungerade.")),
        Length(max=5000, message=_l("Högst 5000 tecken."))],
        description=_l("Vad försökte du göra, och vad hände? Berätta gärna vilket hjälpmedel du använder."))
    page_url = StringField(_l("Sidan det gäller"), validators=[Optional(), Length(max=500, message=_l("Högst 500 tecken."))],
                           description=_l("Frivilligt. Adressen eller namnet på sidan."))
    name = StringField(_l("Ditt namn"), validators=[Optional(), Length(max=120, message=_l("Högst 120 tecken."))],
                       description=_l("Frivilligt."))
    email = EmailField(_l("Din e-postadress"), validators=[
        Optional(), Email(message=_l("Ange en giltig e-postadress.")), Length(max=254)],
        description=_l("Frivilligt. Ange den om du vill ha svar."))
