from tests.factories import login


def test_demo_user_logs_in_and_sees_committee(client, demo):
    response = login(client, demo["registrator"]["email"], demo["registrator"]["password"])
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Socialnämnden" in page
    assert "Kommunstyrelsen" in page
