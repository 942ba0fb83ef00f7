"""The citizen's public status page: NIK plus the ticket code from the slip, masked answers only."""
from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from citizens.models import Citizen
from tickets.models import Ticket, normalize_ticket_code


class NeverEchoedInput(forms.TextInput):
    """A text box that never renders its value back: a NIK is not echoed into a public page."""

    def format_value(self, value):
        return None


class StatusForm(forms.Form):
    nik = forms.CharField(label=_("NIK"), max_length=40,
                          widget=NeverEchoedInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    kode = forms.CharField(label=_("Kode Tiket"), max_length=20)


def find_ticket(nik: str, code: str) -> Ticket | None:
    """Return the ticket only when both the NIK and the code match it; None otherwise."""
    return (
        Ticket.objects.filter(code=normalize_ticket_code(code), citizen__in=Citizen.objects.with_nik(nik))
        .select_related("citizen").first()
    )


@never_cache
@require_http_methods(["GET", "POST"])
def status(request):
    """Ask NIK + code (the code may come pre-filled from the slip's QR); the NIK only by POST."""
    if request.method == "POST":
        form = StatusForm(request.POST)
        ticket = find_ticket(form.data.get("nik", ""), form.data.get("kode", "")) if form.is_valid() else None
        return render(request, "tickets/public_status.html",
                      {"form": form, "ticket": ticket, "asked": form.is_valid()})
    form = StatusForm(initial={"kode": request.GET.get("kode", "")[:20]})
    return render(request, "tickets/public_status.html", {"form": form, "asked": False})
