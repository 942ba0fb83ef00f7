"""The static files storage: Django's, with each file's address worked out once per storage.

Every page's frame names six assets (base.html), and `{% static %}` builds each address anew
(urljoin and URI quoting). The answer depends only on the storage's base URL, which Django fixes
when it makes the storage (a changed STATIC_URL, as in tests, makes a new one).
"""

from django.contrib.staticfiles.storage import StaticFilesStorage


class RememberingStaticFilesStorage(StaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name):
        try:
            return self._urls[name]
        except KeyError:
            address = self._urls[name] = super().url(name)
            return address
