from tests.factories import PASSWORD, auth_header, create_user


def test_signup_then_me(make_client):
    client = make_client("users")
    body = {"email": "Ann@Example.com", "password": PASSWORD, "name": "Ann"}
    response = client.post("/auth/signup", json=body)
    assert response.status_code == 201, response.json
    me = client.get("/me", headers={"Authorization": f"Bearer {response.json['access_token']}"})
    assert me.status_code == 200
    assert me.json["email"] == "ann@example.com"


def test_factory_user_can_call_me(make_client, db, settings):
    user = create_user(db, role="artist")
    response = make_client("users").get("/me", headers=auth_header(settings, user))
    assert response.json["role"] == "artist"
