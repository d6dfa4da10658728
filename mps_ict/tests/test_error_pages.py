import pytest


@pytest.mark.django_db
def test_a_wrong_role_gets_a_styled_explanation(client, role_user):
    client.force_login(role_user("board"))
    response = client.get("/savings/actuals/2014/q1/upload/")
    assert response.status_code == 403
    assert "You cannot do that with your role" in response.content.decode()
    assert "Management Board member" in response.content.decode()


@pytest.mark.django_db
def test_a_missing_page_is_styled(client, role_user):
    client.force_login(role_user("board"))
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "Page not found" in response.content.decode()
