"""Item 11 of issue 11: authority profiles with functional contacts and software in use,
maintained by the authority's members; the directory filters by kind, size band and
software in use and lists member authorities only."""
import re

import pytest
from sqlalchemy import select

from kitu_exchange.extensions import db
from kitu_exchange.models import SOFTWARE_FIELDS, AuditEntry, Authority
from kitu_exchange.web import SOFTWARE_FIELD_NAMES
from tests.conftest import ADMIN, MOD, A, B, csrf_token


@pytest.fixture
def towns(app, people, make_authority):
    make_authority("kleindorf", "Gemeinde Kleindorf", kind="Gemeinde", population=3_000)
    make_authority("grossstadt", "Stadt Großstadt", kind="Stadt", population=80_000)
    with app.app_context():
        db.session.scalar(select(Authority).filter_by(slug="kitu")).is_member = False
        db.session.commit()


def post(client, url, data):
    return client.post(url, data={"csrf_token": csrf_token(client, url), **data})


def test_members_maintain_contacts_and_others_see_them(app, client, auth, towns):
    auth.login(A)
    profile = client.get("/kommunen/musterstadt").get_data(as_text=True)
    assert "Ansprechpersonen" in profile and "Ansprechpersonen bearbeiten" in profile
    url = "/kommunen/musterstadt/ansprechpersonen"
    missing = post(client, url, {"role": "IT-Leitung"})
    assert missing.status_code == 400
    page = missing.get_data(as_text=True)
    assert 'id="email-error"' in page and "Funktionspostfach oder eine Telefonnummer" in page
    assert 'value="IT-Leitung"' in page  # nothing typed is lost
    bad = post(client, url, {"role": "IT-Leitung", "email": "kein-postfach"})
    assert bad.status_code == 400 and "E-Mail-Adresse" in bad.get_data(as_text=True)
    assert post(client, url, {"role": "IT-Leitung", "email": "it@musterstadt.example",
                              "phone": "03946 905-100"}).status_code == 302
    assert post(client, url, {"role": "Informationssicherheitsbeauftragte/r",
                              "email": "isb@musterstadt.example"}).status_code == 302
    auth.logout()

    auth.login(B)
    profile = client.get("/kommunen/musterstadt").get_data(as_text=True)
    assert "IT-Leitung" in profile and 'href="mailto:it@musterstadt.example"' in profile
    assert 'href="tel:03946905-100"' in profile
    assert "Informationssicherheitsbeauftragte/r" in profile
    assert "Ansprechpersonen bearbeiten" not in profile
    assert client.get(url).status_code == 403
    assert post(client, url, {"role": "Fremd", "email": "x@y.example"}).status_code == 403
    auth.logout()

    auth.login(A)
    with app.app_context():
        authority = db.session.scalar(select(Authority).filter_by(slug="musterstadt"))
        contact_id = next(contact.id for contact in authority.contacts
                          if contact.role == "Informationssicherheitsbeauftragte/r")
    edit = f"{url}/{contact_id}"
    assert post(client, edit, {"role": "Informationssicherheitsbeauftragte",
                               "email": "isb@musterstadt.example"}).status_code == 302
    confirm = client.get(f"{edit}/entfernen").get_data(as_text=True)
    assert "Ansprechperson entfernen?" in confirm and "isb@musterstadt.example" in confirm
    assert post(client, f"{edit}/entfernen", {}).status_code == 302
    profile = client.get("/kommunen/musterstadt").get_data(as_text=True)
    assert "isb@musterstadt.example" not in profile and "it@musterstadt.example" in profile
    with app.app_context():
        reasons = list(db.session.scalars(select(AuditEntry.reason).filter_by(
            action="authority.edit")))
    assert "Ansprechperson hinzugefügt: IT-Leitung" in reasons
    assert any(reason.startswith("Ansprechperson entfernt") for reason in reasons)


def test_contact_of_another_authority_is_not_reachable_by_its_id(app, client, auth, towns):
    auth.login(B)
    post(client, "/kommunen/nachbarort/ansprechpersonen",
         {"role": "IT-Leitung", "phone": "0391 12345"})
    with app.app_context():
        contact_id = db.session.scalar(select(Authority).filter_by(slug="nachbarort")
                                       ).contacts[0].id
    auth.logout()
    auth.login(A)
    assert client.get(f"/kommunen/musterstadt/ansprechpersonen/{contact_id}").status_code == 404


def rows(client, url) -> set[str]:
    """The authorities the directory lists (the header names the viewer's own)."""
    html = client.get(url).get_data(as_text=True)
    return set(re.findall(r'<th scope="row"[^>]*><a[^>]*>([^<]+)</a>', html))


def add_software(client, slug, field, product, provider=""):
    return post(client, f"/kommunen/{slug}/software",
                {"field": field, "product": product, "provider": provider})


def test_software_in_use_and_who_else_uses_it(app, client, auth, towns, make_user):
    make_user("c@grossstadt.example", authority="grossstadt")
    auth.login(A)
    assert add_software(client, "musterstadt", "", "H&H proDoppik").status_code == 400
    assert add_software(client, "musterstadt", "finance", "H&H proDoppik", "H&H Datenverarbeitung"
                        ).status_code == 302
    assert add_software(client, "musterstadt", "council", "SD.NET").status_code == 302
    auth.logout()
    auth.login("c@grossstadt.example")
    assert add_software(client, "grossstadt", "finance", "proDoppik").status_code == 302
    assert add_software(client, "grossstadt", "dms", "enaio", "Optimal Systems").status_code == 302
    profile = client.get("/kommunen/grossstadt").get_data(as_text=True)
    assert "Dokumentenmanagement / E-Akte" in profile and "enaio (Optimal Systems)" in profile
    assert 'href="/kommunen?software=enaio"' in profile

    directory = client.get("/kommunen", query_string={"software": "prodoppik"}
                           ).get_data(as_text=True)
    assert "Stadt Musterstadt" in directory and "Stadt Großstadt" in directory
    assert "Stadt Nachbarort" not in directory and "2 Mitglieder" in directory
    assert "Filter zurücksetzen" in directory and 'value="prodoppik"' in directory
    assert rows(client, "/kommunen?software=prodoppik") == {"Stadt Musterstadt",
                                                            "Stadt Großstadt"}
    assert rows(client, "/kommunen?software=optimal") == {"Stadt Großstadt"}
    assert rows(client, "/kommunen?bereich=council") == {"Stadt Musterstadt"}
    assert rows(client, "/kommunen?bereich=council&software=prodoppik") == set()
    nothing = client.get("/kommunen?software=gibt-es-nicht").get_data(as_text=True)
    assert "Keine Mitgliedskommune passt zu den gewählten Filtern" in nothing
    assert "<datalist" in directory and '<option value="enaio">' in directory


def test_directory_filters_by_kind_and_size_and_leaves_out_the_office(client, auth, towns):
    auth.login(MOD)
    everything = {"Stadt Musterstadt", "Stadt Nachbarort", "Gemeinde Kleindorf",
                  "Stadt Großstadt"}
    assert rows(client, "/kommunen") == everything  # not the office "Stadt Kitu"
    assert rows(client, "/kommunen?groesse=lt10k") == {"Gemeinde Kleindorf"}
    assert rows(client, "/kommunen?groesse=10k-50k") == {"Stadt Musterstadt",
                                                         "Stadt Nachbarort"}
    assert rows(client, "/kommunen?groesse=gt50k") == {"Stadt Großstadt"}
    assert rows(client, "/kommunen?art=Gemeinde") == {"Gemeinde Kleindorf"}
    assert rows(client, "/kommunen?art=<x>&groesse=999&bereich=zzz") == everything


def test_admin_maintains_any_profile_and_moderators_do_not(client, auth, towns):
    auth.login(ADMIN)
    assert add_software(client, "kleindorf", "epayment", "ePayBL").status_code == 302
    auth.logout()
    auth.login(MOD)
    assert client.get("/kommunen/kleindorf/software").status_code == 403


def test_every_software_field_has_a_name():
    assert set(SOFTWARE_FIELDS) == set(SOFTWARE_FIELD_NAMES)
