"""Bulk actions on the queue: the ticked tickets, one by one, through the same services and rules
as the ticket page. Nothing here decides anything the one-by-one path would not.

The re-check ("Cek sekarang") belongs to sync, which tickets never imports: the caller passes it in,
raising services.TicketError for a refusal.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import UserFacingError
from core.scoping import scope_of
from tickets import selectors, services
from tickets.forms import TicketCodesField
from tickets.permissions import allowed_actions, is_supervisor
from tickets.workflow import IllegalTransition

TAKE, CHECK, ASSIGN, CLOSE = "take", "check", "assign", "close"
SUPERVISOR_ACTIONS = {ASSIGN, CLOSE}


class BulkQueueForm(forms.Form):
    """What to do with the tickets ticked on the queue; supervisors get assign and close."""

    tickets = TicketCodesField()
    action = forms.ChoiceField(label=gettext_lazy("Tindakan untuk tiket terpilih"))
    assignee = forms.ModelChoiceField(
        label=gettext_lazy("Petugas tujuan"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("— pilih petugas —"),
    )
    reason = forms.CharField(label=gettext_lazy("Alasan penutupan"), required=False, max_length=2000)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_of(user)
        self.supervisor = is_supervisor(user) and not scope.read_only
        choices = [(TAKE, _("Tangani sendiri")), (CHECK, _("Cek ulang ke pusat sekarang"))]
        if self.supervisor:
            choices += [(ASSIGN, _("Alihkan ke petugas")), (CLOSE, _("Tutup tiket"))]
            self._offer_staff(selectors.staff_of_office(scope.office.pk))
        else:
            del self.fields["assignee"], self.fields["reason"]
        self.fields["action"].choices = choices

    def _offer_staff(self, staff) -> None:
        """Validate against `staff`, and list it read once (the lazy choices would count it first)."""
        field = self.fields["assignee"]
        field.queryset = staff
        field.choices = [
            ("", field.empty_label),
            *((user.pk, field.label_from_instance(user)) for user in staff),
        ]

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == ASSIGN and not data.get("assignee"):
            self.add_error("assignee", _("Pilih petugas tujuan."))
        if action == CLOSE and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Alasan wajib diisi untuk menutup tiket."))
        return data


def refuse_unless_allowed(user, action: str) -> None:
    """Refuse (403) a supervisor's action posted by anyone else, whatever the form offered."""
    if action in SUPERVISOR_ACTIONS and not is_supervisor(user):
        raise PermissionDenied


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)
    skipped: dict[str, list[str]] = field(default_factory=dict)  # why -> display codes

    def skip(self, ticket, why: str) -> None:
        self.skipped.setdefault(str(why), []).append(ticket.display_code)


def run_bulk(
    *,
    user,
    codes: list[str],
    action: str,
    recheck: Callable,
    assignee=None,
    reason: str = "",
) -> BulkResult:
    """Apply `action` to each ticket in `codes`, one by one; refusals are collected with their reason.

    Every code must be one the user may see: a code of another office refuses the whole request
    (403) before anything is done, so a tampered form never acts on some of its tickets.
    """
    refuse_unless_allowed(user, action)
    found = {
        t.code: t for t in selectors.visible_tickets(user).select_related("office").filter(code__in=codes)
    }
    if len(found) != len(codes):
        raise PermissionDenied(_("Ada tiket yang bukan milik kantor Anda; tidak ada yang diproses."))
    result = BulkResult()
    for code in codes:
        ticket = found[code]
        why = _refusal(user, ticket, action, assignee)
        if why:
            result.skip(ticket, why)
            continue
        try:
            _apply(ticket, user=user, action=action, assignee=assignee, reason=reason, recheck=recheck)
        except UserFacingError as exc:  # the ticket's rules, or sync's "Cek sekarang"
            result.skip(ticket, exc.message)
        except IllegalTransition:
            result.skip(ticket, _already(ticket))
        else:
            result.done.append(ticket.display_code)
    return result


def _already(ticket) -> str:
    return _("sudah %(status)s") % {"status": ticket.get_status_display()}


def _refusal(user, ticket, action: str, assignee) -> str:
    """Return why `action` may not be applied to `ticket` (the ticket page's rules), or ""."""
    if action == CHECK:
        return ""  # sync's own rules (accepted by the centre, cooldown) decide, with their message
    if action not in allowed_actions(user, ticket):
        return _already(ticket) if not ticket.is_open else _("tindakan ini tidak diizinkan")
    if action == TAKE and ticket.assignee_id == user.pk:
        return _("sudah Anda tangani")
    if action == ASSIGN and ticket.assignee_id == assignee.pk:
        return _("sudah ditangani petugas itu")
    return ""


def _apply(ticket, *, user, action, assignee, reason, recheck) -> None:
    if action == TAKE:
        services.assign_ticket(ticket=ticket, actor=user, assignee=user)
    elif action == ASSIGN:
        services.assign_ticket(ticket=ticket, actor=user, assignee=assignee)
    elif action == CHECK:
        recheck(ticket=ticket, actor=user)
    else:
        services.close_ticket(ticket=ticket, actor=user, reason=reason)
