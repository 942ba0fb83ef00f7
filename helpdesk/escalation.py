"""The escalation desk (/eskalasi/). Filled in by the escalation-desk work."""
urlpatterns = []
