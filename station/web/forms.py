"""The application's forms: every field checked before anything changes; a bad form changes nothing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from station.labels import CASE_KINDS, REASONS
from station.registry import RegistryError, pinned_host_keys, public_key


class FilterForm(forms.Form):
    device: forms.ModelChoiceField[Any] = forms.ModelChoiceField(queryset=None, required=False, label=_("Camera"))
    since = forms.DateField(required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.ChoiceField(required=False, label=_("Reason"), choices=[("", "—"), *REASONS.items()])
    case = forms.CharField(required=False, label=_("File reference"), max_length=100)
    hold = forms.ChoiceField(required=False, label=_("Hold"), choices=[
        ("", "—"), ("held", _("held")), ("not-held", _("not held"))])
    state = forms.ChoiceField(required=False, label=_("State"), choices=[
        ("", "—"), ("ok", _("complete")), ("interrupted", _("interrupted"))])
    officer: forms.ModelChoiceField[Any] = forms.ModelChoiceField(queryset=None, required=False,
                                                                  label=_("Worn by"))
    team = forms.ChoiceField(required=False, label=_("Team"))

    def __init__(self, *args: Any, devices: Any = None, officers: Any = None, **kwargs: Any) -> None:
        """``officers`` (a queryset) only for those who may search by wearer; without it the form has no
        officer or team field, so neither can be searched by a URL typed by hand."""
        super().__init__(*args, **kwargs)
        self.fields["device"].queryset = devices  # type: ignore[attr-defined]
        if officers is None:
            del self.fields["officer"], self.fields["team"]
        else:
            self.fields["officer"].queryset = officers  # type: ignore[attr-defined]
            teams = sorted({team for team in officers.values_list("team", flat=True) if team})
            self.fields["team"].choices = [("", "—"), *((team, team) for team in teams)]  # type: ignore[attr-defined]


class OwnIds(forms.Form):
    """A form that shares its page with others: its fields' ids start with its own name, so each label
    belongs to its own field (a screen reader reads the right one) though the field names repeat."""

    ids = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.ids}_%s")
        super().__init__(*args, **kwargs)


class ViewRequestForm(OwnIds):
    ids = "request"

    purpose = forms.CharField(label=_("Purpose"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    case_number = forms.CharField(label=_("Case number"), max_length=100)


class CaseForm(forms.Form):
    reference = forms.CharField(label=_("File reference"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=list(CASE_KINDS.items()))


class AttachForm(OwnIds):
    ids = "attach"

    reference = forms.CharField(label=_("File reference of an open case"), max_length=100)


class CaseSearchForm(forms.Form):
    q = forms.CharField(label=_("File reference"), max_length=100, required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class RedactionForm(OwnIds):
    ids = "redaction"

    purpose = forms.CharField(label=_("Disclosed to whom, and why"), max_length=500,
                              widget=forms.Textarea(attrs={"rows": 2}))


class PlanForm(forms.Form):
    """The review page's decisions as JSON (its script writes the field); checked by station.redactions."""

    plan = forms.CharField(max_length=200_000, widget=forms.HiddenInput)

    def clean_plan(self) -> object:
        import json

        try:
            return json.loads(self.cleaned_data["plan"])
        except ValueError:
            raise ValidationError(_("The review's decisions did not arrive whole; reload the page.")) from None


class RedactionDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Send back"))],
                                 widget=forms.RadioSelect, label=_("Decision"))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not data.get("note"):
            self.add_error("note", _("Say what is to be changed."))
        return data


class RedactionDeleteForm(OwnIds):
    ids = "delete"

    reason = forms.CharField(label=_("Reason"), max_length=500)


class HoldForm(OwnIds):
    ids = "hold"

    reason = forms.CharField(label=_("Reason"), max_length=500)
    case_number = forms.CharField(label=_("Case number"), max_length=100)


class ReleaseForm(OwnIds):
    ids = "release"

    reason = forms.CharField(label=_("Reason"), max_length=500)


class DeviceStatusForm(forms.Form):
    status = forms.ChoiceField(choices=[("lost", _("lost")), ("retired", _("retired")), ("active", _("active"))])
    reason = forms.CharField(label=_("Reason"), max_length=500)


class EnrolForm(forms.Form):
    name = forms.RegexField(label=_("Name"), regex=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$", max_length=63)
    host = forms.CharField(label=_("Address"), max_length=255)
    port = forms.IntegerField(label=_("SSH port"), min_value=1, max_value=65535, initial=22)
    ssh_user = forms.RegexField(label=_("SSH user"), regex=r"^[a-z_][a-z0-9_-]{0,31}$", initial="root")
    device_pub = forms.CharField(label=_("Device public key (PEM)"), widget=forms.Textarea(attrs={"rows": 4}))
    host_key = forms.CharField(label=_("SSH host key (type base64)"), max_length=2000)

    def clean_device_pub(self) -> str:
        pem = str(self.cleaned_data["device_pub"]).strip() + "\n"
        try:
            public_key(pem)
        except RegistryError as exc:
            raise ValidationError(str(exc)) from None
        return pem

    def clean_host_key(self) -> str:
        try:
            return pinned_host_keys(str(self.cleaned_data["host_key"]))
        except RegistryError as exc:
            raise ValidationError(str(exc)) from None


class CustodyFilterForm(forms.Form):
    action = forms.CharField(required=False, max_length=40, label=_("Action"))
    actor = forms.CharField(required=False, max_length=100, label=_("Who"))
    subject = forms.CharField(required=False, max_length=100, label=_("Recording or camera"))
    since = forms.DateField(required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))



class HandoverForm(forms.Form):
    """A hand-over of a case's recordings: only those the issuer may decrypt now (``recordings``)."""

    recipient: forms.ModelChoiceField[Any] = forms.ModelChoiceField(queryset=None, label=_("Recipient"))
    recordings: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        queryset=None, label=_("Recordings"), widget=forms.CheckboxSelectMultiple)
    days = forms.IntegerField(label=_("Link valid for (days)"), min_value=1, max_value=30, initial=7)

    def __init__(self, *args: Any, recipients: Any = None, recordings: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = recipients  # type: ignore[attr-defined]
        self.fields["recordings"].queryset = recordings  # type: ignore[attr-defined]
        self.fields["recordings"].label_from_instance = _recording_choice  # type: ignore[attr-defined]


def _recording_choice(recording: Any) -> str:
    from django.utils import formats, timezone

    local = timezone.localtime(recording.started_utc)
    started = f"{formats.date_format(local, 'SHORT_DATE_FORMAT')} {formats.time_format(local, 'H:i:s')}"
    return (f"{started} · {recording.duration_s:.0f} s · {recording.device.name} · "
            f"{REASONS.get(recording.reason, recording.reason)}")


class CodeForm(forms.Form):
    code = forms.CharField(label=_("One-time code"), max_length=20,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


class KioskForm(forms.Form):
    """Personnel number and PIN at the dock's screen; the PIN is never shown back."""

    number = forms.CharField(label=_("Personnel number"), max_length=20,
                             widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}))
    pin = forms.CharField(label=_("PIN"), max_length=8, min_length=4,
                          widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric"}))
