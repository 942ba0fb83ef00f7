"""A mock WhatsApp Business Cloud API gateway (and a plain SMS endpoint) for tests and the demo.

It stands for a system we do not own, like mockregistry/: its own process (gunicorn, one worker),
its own state (an SQLite file), its own settings from the environment, and it imports nothing from
the Sinkron apps. docs/mockwhatsapp.md describes the API, the control API and the settings.
"""
