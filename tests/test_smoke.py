def test_login_page_renders(client):
    response = client.get("/connexion")
    assert response.status_code == 200
    assert "Connexion à l'espace agents" in response.get_data(as_text=True)


def test_agent_reads_charter(client, auth, make_user, make_charte):
    charte = make_charte()
    user = make_user()
    assert auth.login(user).status_code == 302
    page = client.get(f"/chartes/{charte.id}").get_data(as_text=True)
    for theme in ("Responsabilité", "Transparence", "Données", "Sobriété"):
        assert theme in page
    assert "RESP-1" in page
