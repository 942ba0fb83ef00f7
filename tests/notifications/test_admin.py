import pytest
from django.urls import reverse

from notifications.models import Notification
from tests.notifications.fake_gateway import MASKED_PHONE, PHONE

pytestmark = pytest.mark.django_db
URL = reverse("admin:notifications_notification_changelist")


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    return client


def test_the_admin_lists_notifications_masked_and_finds_them_by_ticket_code(admin_client, ticket):
    response = admin_client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200 and MASKED_PHONE in html and PHONE not in html
    found = admin_client.get(URL, {"q": ticket.display_code.lower()}).context["cl"].result_list
    assert [n.ticket_id for n in found] == [ticket.pk]
    assert list(admin_client.get(URL, {"q": "ZZZZZ-ZZZZZ"}).context["cl"].result_list) == []


def test_notifications_cannot_be_edited_or_deleted_in_the_admin(admin_client, ticket):
    notification = Notification.objects.get()
    delete = reverse("admin:notifications_notification_delete", args=[notification.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Notification.objects.filter(pk=notification.pk).exists()
