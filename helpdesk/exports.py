"""Ticket exports (/laporan/). Filled in by the reports work."""
urlpatterns = []
