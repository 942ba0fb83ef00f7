"""Admin search by POST for the lists that find people by NIK: a NIK never sits in a URL.

Django's changelist searches with `GET ?q=`, which puts a typed NIK into the address bar, the
browser history and every proxy's access log. Lists using `PostSearchAdmin` search from a POST
form instead: the search is kept in the session under a random token (a NIK only as its keyed
digest) and the list is shown at `?cari=<token>`, so paging and sorting keep it. A NIK sent the
old way (`?q=`) is not searched.
"""

import secrets
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.views.main import PAGE_VAR, SEARCH_VAR, ChangeList
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from citizens import nik as nikparse
from citizens.models import nik_digest

TOKEN_PARAM = "cari"
SESSION_KEY = "admin_post_searches"
KEPT_SEARCHES = 10  # per session: the newest tokens stay valid (back button, a second tab)
POST_MARKER = "_post_search"


def stored_search(term: str) -> dict:
    """Return what the session keeps of a search: a NIK only as its keyed digest."""
    found = nikparse.find_nik_like(term)
    if found:
        return {"nik_digest": nik_digest(found[0]), "shown": nikparse.mask(found[0])}
    return {"text": term, "shown": term}


class PostSearchChangeList(ChangeList):
    """A changelist whose search comes from the session (`request.post_search`), not from `?q=`."""

    def get_filters_params(self, params=None):
        lookup = super().get_filters_params(params)
        lookup.pop(TOKEN_PARAM, None)
        return lookup

    def get_queryset(self, request, exclude_parameters=None):
        search = getattr(request, "post_search", None) or {}
        if search:
            self.query = search.get("text", "")
        queryset = super().get_queryset(request, exclude_parameters)
        if "nik_digest" in search:
            queryset = queryset.filter(**{self.model_admin.nik_digest_path: search["nik_digest"]})
        return queryset


class PostSearchAdmin(admin.ModelAdmin):
    """Search this list by POST. `nik_digest_path` is the lookup of the NIK digest from the model."""

    change_list_template = "admin/post_search_change_list.html"
    nik_digest_path = "nik_digest"

    def get_changelist(self, request, **kwargs):
        return PostSearchChangeList

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and POST_MARKER in request.POST:
            return self._store_search(request)
        if nikparse.find_nik_like(request.GET.get(SEARCH_VAR, "")):
            messages.warning(request, _("NIK tidak dicari lewat alamat halaman. Ketik di kolom pencarian."))
            return redirect(_same_list(request, drop=(SEARCH_VAR, TOKEN_PARAM)))
        token = request.GET.get(TOKEN_PARAM)
        if token:
            search = request.session.get(SESSION_KEY, {}).get(token)
            if search is None:
                messages.info(request, _("Pencarian ini sudah tidak berlaku. Silakan cari lagi."))
                return redirect(_same_list(request, drop=(TOKEN_PARAM,)))
            request.post_search = search
        context = {
            "post_search_marker": POST_MARKER,
            "post_search_shown": getattr(request, "post_search", {}).get("shown", ""),
            "post_search_clear": _same_list(request, drop=(TOKEN_PARAM, SEARCH_VAR, PAGE_VAR)),
        }
        return super().changelist_view(request, extra_context={**context, **(extra_context or {})})

    def _store_search(self, request):
        term = " ".join(request.POST.get(SEARCH_VAR, "").split())[:100]
        if not term:
            return redirect(_same_list(request, drop=(TOKEN_PARAM, SEARCH_VAR, PAGE_VAR)))
        token = secrets.token_urlsafe(12)
        searches = dict(request.session.get(SESSION_KEY, {}))
        searches[token] = stored_search(term)
        request.session[SESSION_KEY] = dict(list(searches.items())[-KEPT_SEARCHES:])
        return redirect(
            _same_list(request, drop=(TOKEN_PARAM, SEARCH_VAR, PAGE_VAR), add={TOKEN_PARAM: token})
        )


def _same_list(request, *, drop=(), add=None) -> str:
    """Return this list's path with its query string, less `drop`, plus `add`."""
    params = [(key, value) for key, value in request.GET.items() if key not in drop]
    params += list((add or {}).items())
    return request.path + ("?" + urlencode(params) if params else "")
