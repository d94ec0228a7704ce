"""Routing from the receiving queue: the row's ส่งต่อ opens the route form in the row, and routing
leaves the clerk on the queue (it used to land on the item's page)."""
from __future__ import annotations

import pytest

from agencies.demo import DEMO_PASSWORD
from agencies.models import Agency
from correspondence.models import ItemState
from correspondence.services import receiving

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_queue_routes_in_place(demo_officials, live_server, browser, settings, tmp_path):
    from django.contrib.auth import get_user_model

    settings.MEDIA_ROOT = tmp_path / "media"
    clerk = get_user_model().objects.get(username="soc.clerk")
    soc = Agency.objects.get(name="สำนักเลขาธิการคณะรัฐมนตรี")
    division = Agency.objects.get(short_name="ภค.")
    item = receiving.incoming_receive(unit=soc, by=clerk, channel="scan", subject="ส่งต่อจากรายการ",
                                      sender_text="กรมตัวอย่าง")
    receiving.incoming_register(item, by=clerk)
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="th-TH").new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "soc.clerk")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("section.login button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    queue = f"{live_server.url}/incoming/?urgency=0"
    page.goto(queue)
    row = page.locator(f"tr[data-item='{item.pk}']")
    row.locator(f"#route-open-{item.pk}").click()
    row.get_by_label(division.name, exact=True).check()
    assert page.url == queue  # the form opened in the row
    row.locator("button[type=submit]", has_text="ส่งต่อ").click()
    page.wait_for_selector("text=ส่งต่อแล้วถึง")
    assert page.url == queue
    assert page.locator(f"tr[data-item='{item.pk}'] .state").inner_text() == ItemState.ROUTED.label
    item.refresh_from_db()
    assert item.state == ItemState.ROUTED and item.routings.get().to_unit == division
