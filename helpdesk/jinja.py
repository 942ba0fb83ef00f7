"""The Jinja2 environment of the hot list fragments (settings.TEMPLATES, second backend).

The queue's rows are the most rendered markup of the desk: Django's template engine spent about
two thirds of the queue page's CPU on them (docs/benchmarks.md, round 4). Jinja2 compiles a
template to Python once, so the same rows cost a fraction. The rest of the site stays on Django
templates; these globals give a fragment the same tags and filters (url, translations, the
status badge, times in WIB) so the markup does not change with the engine.
"""

from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from jinja2 import Environment

from helpdesk.templatetags.sinkron import duration, short_datetime, status_badge


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def environment(**options) -> Environment:
    env = Environment(**options)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.globals.update(url=url, static=static, status_badge=status_badge)
    env.filters.update(short_datetime=short_datetime, duration=duration)
    return env
