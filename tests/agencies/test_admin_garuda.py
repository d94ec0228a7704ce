"""The Garuda artwork in the agency admin: the stored file is shown through a view for staff (media has no
public URL), and a unit says which artwork its letters carry."""
import io

import pytest
from django.core.files.base import ContentFile

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (10, 12), "white").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def ministry_artwork(units):
    ministry = units["ศทส."].top
    data = _png()
    ministry.garuda.save("garuda.png", ContentFile(data))
    return ministry, data


def test_the_current_file_links_to_a_view_that_serves_it_to_staff(client, users, ministry_artwork, admin_login):
    ministry, data = ministry_artwork
    admin_login(client, users["admin"])
    page = client.get(f"/admin/agencies/agency/{ministry.pk}/change/").content.decode()
    url = f"/admin/agencies/agency/{ministry.pk}/garuda/"
    assert f'href="{url}"' in page and ministry.garuda.url not in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png" and response.content == data
    assert response["X-Content-Type-Options"] == "nosniff" and "sandbox" in response["Content-Security-Policy"]


def test_the_artwork_view_is_for_staff_only_and_404_without_artwork(client, users, units, ministry_artwork,
                                                                    admin_login):
    ministry, _ = ministry_artwork
    url = f"/admin/agencies/agency/{ministry.pk}/garuda/"
    assert client.get(url)["Location"].startswith("/admin/login/")
    client.force_login(users["mfa.clerk"])
    assert client.get(url)["Location"].startswith("/admin/login/")
    admin_login(client, users["admin"])
    assert client.get(f"/admin/agencies/agency/{units['ศทส.'].pk}/garuda/").status_code == 404


def test_a_unit_shows_the_artwork_it_inherits_and_from_where(client, users, units, ministry_artwork, admin_login):
    ministry, _ = ministry_artwork
    admin_login(client, users["admin"])
    unit_page = client.get(f"/admin/agencies/agency/{units['ศทส.'].pk}/change/").content.decode()
    assert f"ใช้ภาพของ {ministry.name}" in unit_page
    assert f'src="/admin/agencies/agency/{ministry.pk}/garuda/"' in unit_page
    assert "ภาพของส่วนราชการนี้" in client.get(f"/admin/agencies/agency/{ministry.pk}/change/").content.decode()
    other = client.get(f"/admin/agencies/agency/{units['สลค.'].pk}/change/").content.decode()
    assert "ยังไม่มีภาพตราครุฑ" in other
