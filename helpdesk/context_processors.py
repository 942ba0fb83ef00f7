from django.conf import settings

from tickets.permissions import is_staff_member, is_supervisor


def sinkron(request):
    """Expose the role flags and demo banner every page's navigation needs."""
    user = request.user
    return {
        "is_staff_member": is_staff_member(user),
        "is_supervisor": is_supervisor(user),
        "demo_mode": settings.DEMO_MODE,
        "demo_time_scale": settings.DEMO_TIME_SCALE,
    }
