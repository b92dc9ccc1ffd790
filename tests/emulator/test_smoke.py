"""The emulator answers over real HTTP."""

from __future__ import annotations

from tests.support.emulator import McAccount


def test_ping_answers_chimpy_for_a_valid_key(mc_account: McAccount) -> None:
    response = mc_account.client.get("/ping")
    assert response.status_code == 200
    assert response.json() == {"health_status": "Everything's Chimpy!"}
