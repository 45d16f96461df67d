"""The home page shows the region's municipalities, venues and courses."""
from nortime.demo import load_demo


def test_home_lists_municipalities_venues_and_levels(app, client):
    with app.app_context():
        load_demo(learners=5)
    page = client.get("/").get_data(as_text=True)
    for name in ("Senja", "Målselv", "Bardu", "Sørreisa", "Salangen", "Dyrøy"):
        assert name in page
    assert "Senja voksenopplæring" in page and "Folkeuniversitetet Bardufoss" in page
    assert "A1" in page and "B2" in page


def test_home_on_an_empty_database(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="nb"' in response.get_data(as_text=True)
