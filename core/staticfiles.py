"""The static files storage: Django's, with each file's address worked out once per storage.

Every page's frame names six assets (base.html), and `{% static %}` builds each address anew
(urljoin and URI quoting). The answer depends only on the storage's base URL, which Django fixes
when it makes the storage (a changed STATIC_URL, as in tests, makes a new one).
"""

from functools import lru_cache

from django.contrib.staticfiles.storage import StaticFilesStorage

# The names come from templates and form media, a few dozen; the bound keeps a template that
# passed a visitor's value to `{% static %}` from growing the process.
REMEMBERED_ADDRESSES = 1024


class RememberingStaticFilesStorage(StaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._remembered_url = lru_cache(maxsize=REMEMBERED_ADDRESSES)(super().url)

    def url(self, name):
        return self._remembered_url(name)
