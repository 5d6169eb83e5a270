from http import HTTPStatus

from django.urls import reverse


def test_landing_shows_the_guide_and_its_pillars(client, ml_guide):
    response = client.get(reverse("tracker:landing"))
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "Core Programming Proficiency" in page
    assert "Mathematics and Statistics" in page
    assert "MLOps and Infrastructure" in page
