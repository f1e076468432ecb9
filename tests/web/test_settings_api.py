"""GET and PATCH /api/accounts/<id>/settings."""


def test_settings_start_from_defaults_and_change_key_by_key(client, register):
    tenant = register("Academia Forte")
    url = f"/api/accounts/{tenant.id}/settings"
    body = client.get(url, headers=tenant.headers).get_json()
    assert body["settings"]["time_zone"] == "America/Sao_Paulo"
    assert body["placeholders"]["reminder"] == ["name", "service", "date", "time", "weekday", "business"]
    assert body["campaign_placeholders"] == ["name", "link", "qr_code_url"]
    changed = client.patch(url, headers=tenant.headers, json={
        "time_zone": "America/Manaus", "business_hours": {"sat": []},
        "templates": {"away": "Voltamos às 6h!"}, "pacing": {"daily_cap": 50}})
    assert changed.status_code == 200, changed.get_json()
    settings = client.get(url, headers=tenant.headers).get_json()["settings"]
    assert settings["time_zone"] == "America/Manaus" and settings["business_hours"]["sat"] == []
    assert settings["business_hours"]["fri"] == ["09:00-18:00"]
    assert settings["templates"]["away"] == "Voltamos às 6h!" and settings["pacing"]["min_gap_seconds"] == 20
    account = client.get(f"/api/accounts/{tenant.id}", headers=tenant.headers).get_json()
    assert account["settings"]["time_zone"] == "America/Manaus"  # the pages read it from here


def test_a_bad_setting_is_a_400_naming_it(client, register):
    tenant = register("Academia Forte")
    url = f"/api/accounts/{tenant.id}/settings"
    answer = client.patch(url, headers=tenant.headers, json={"pacing": {"max_gap_seconds": 5}})
    assert answer.status_code == 400
    assert answer.get_json()["error"]["message"].startswith("pacing.min_gap_seconds")
    answer = client.patch(url, headers=tenant.headers, json={"templates": {"opt_out": 3}})
    assert answer.get_json()["error"]["message"] == "templates.opt_out: must be a string"


def test_settings_through_the_account_follow_the_same_rules(client, register, admin_headers):
    tenant = register("Academia Forte")
    answer = client.patch(f"/api/accounts/{tenant.id}", headers=admin_headers,
                          json={"settings": {"pacing": {"daily_cap": 0}}})
    assert answer.status_code == 400
    assert answer.get_json()["error"]["message"] == (
        "settings: pacing.daily_cap: must be a whole number from 1 to 100000")
    answer = client.patch(f"/api/accounts/{tenant.id}", headers=admin_headers,
                          json={"settings": {"time_zone": "America/Manaus", "colour": "blue"}})
    assert answer.get_json()["error"]["message"] == "settings: colour: is not a setting"
    kept = client.patch(f"/api/accounts/{tenant.id}", headers=admin_headers,
                        json={"settings": {"time_zone": "America/Manaus"}})
    assert kept.status_code == 200 and kept.get_json()["settings"] == {"time_zone": "America/Manaus"}
