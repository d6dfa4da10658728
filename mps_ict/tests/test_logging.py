import logging

import pytest


@pytest.mark.django_db
def test_one_log_line_per_request_with_user_method_path_status_duration(client, role_user, caplog):
    user = role_user("board")
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger="mps_ict.requests"):
        response = client.get("/account/")
    lines = [r.getMessage() for r in caplog.records if r.name == "mps_ict.requests"]
    assert len(lines) == 1
    line = lines[0]
    assert f"user={user.username}" in line and "method=GET" in line and "path=/account/" in line
    assert "status=200" in line and "duration_ms=" in line
    assert response["X-Request-ID"]
