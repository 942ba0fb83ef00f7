"""WSGI entry point of the mock registry: `gunicorn mockregistry.wsgi -b 127.0.0.1:8001 --threads 8`."""

import os

from django.core.wsgi import get_wsgi_application

# Not setdefault: a shell or compose file that exports helpdesk.settings for the main app must not
# make this process serve the help desk.
os.environ["DJANGO_SETTINGS_MODULE"] = "mockregistry.settings"

application = get_wsgi_application()
