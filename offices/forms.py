"""The roll-up's filter: the dashboard's period, a province (for the national role), the sort."""

from django import forms
from django.utils.translation import gettext_lazy

from desk.forms import PeriodForm
from offices.selectors import SORTABLE

DEFAULT_SORT = "name"


class RollupForm(PeriodForm):
    provinsi = forms.ChoiceField(label=gettext_lazy("Provinsi"), required=False)
    urut = forms.ChoiceField(choices=[(name, name) for name in SORTABLE], required=False)
    arah = forms.ChoiceField(choices=[("naik", "naik"), ("turun", "turun")], required=False)

    def __init__(self, *args, provinces, **kwargs):
        """`provinces`: the provincial offices the reader's scope holds, as (region code, name)."""
        super().__init__(*args, **kwargs)
        self.fields["provinsi"].choices = [("", gettext_lazy("Semua provinsi")), *provinces]

    def _choice(self, name: str, default: str) -> str:
        return (self.cleaned_data.get(name) if self.is_valid() else "") or default

    def province(self) -> str:
        """Return the chosen province's code; one province only when the scope holds just one."""
        choices = [value for value, _label in self.fields["provinsi"].choices if value]
        return choices[0] if len(choices) == 1 else self._choice("provinsi", "")

    def sort(self) -> tuple[str, bool]:
        """Return (column, descending); the office name ascending unless asked otherwise."""
        return self._choice("urut", DEFAULT_SORT), self._choice("arah", "naik") == "turun"
