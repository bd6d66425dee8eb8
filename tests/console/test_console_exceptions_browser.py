"""An ops user works an exception in a real Chromium against `rpa console --port 0`: opens a
one-off supplement stopped with AMOUNT_OUT_OF_RANGE, corrects the amount in the form made
from the task's model (a wrong value first: the Danish error beside the field, nothing
changed), and the item is back in the queue with the new payload, audited.

Screenshots of the queue and the item page land in the test's folder and in
`RPA_CONSOLE_SHOTS` when that names a folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from runner.console import texts
from runner.console.form_errors import NOT_A_NUMBER
from runner.states import ErrorKind, State
from runner.store import Actor, NewItem, open_store
from tests.console.test_console_browser import (  # noqa: F401  # the browser fixtures, shared
    PASSWORD,
    TODAY,
    Served,
    assert_danish_only,
    browser,
    deployment,
    log_in,
    new_context,
    playwright,
    rpa,
    shoot,
    start_console,
    stop_console,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROW = {"case_id": "sag-7", "batch_id": "batch-2024-11", "row": 3, "employment_id": "E-1001",
       "amount": "75000.00", "reason": "Ekstra vagter i november", "payout_period": "2024-12",
       "pensionable": None, "submitted_date": "2024-11-15", "duplicate_of": None}


def seed(config: Path, folder: Path) -> int:
    """An ops user, the stopped supplement, and a few other items for the queue to show."""
    rpa(config, "users", "add", "admin", "--role", "admin")
    rpa(config, "users", "add", "lars", "--role", "ops")
    rpa(config, "users", "passwd", "lars", "--password-stdin", stdin=PASSWORD + "\n")
    store = open_store(f"sqlite:///{folder / 'rpa.db'}")
    try:
        store.enqueue([NewItem("one_off_supplements", "rows", "batch-2024-11:3", ROW, due=TODAY)])
        [item] = store.claim("seed", lease_s=60, as_of=TODAY, bots=["one_off_supplements"])
        store.fail(item.id, "seed", kind=ErrorKind.BUSINESS, code="AMOUNT_OUT_OF_RANGE",
                   message="Beløbet 75.000,00 kr. er over grænsen for et engangstillæg (50.000,00 kr.).")
        store.enqueue([NewItem("hello", "greetings", f"navn-{n}", {"name": f"Navn {n}"}) for n in range(4)])
        [other] = store.claim("seed", lease_s=60, as_of=TODAY, bots=["hello"])
        store.fail(other.id, "seed", kind=ErrorKind.SYSTEM, code="OUTBOX_FULL", message="disken er fuld")
        store.assign_item(store.get_user("lars").actor(), other.id, to="lars")
        store.enqueue([NewItem("refund_claims", "absences", "frav-1", {}, due=TODAY)])
        return item.id
    finally:
        store.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, int]]:
    folder = tmp_path_factory.mktemp("console-exceptions")
    config = deployment(folder)
    item_id = seed(config, folder)
    console = start_console(config, folder)
    yield console, item_id
    stop_console(console)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:  # noqa: F811  # the shared fixture's browser
    context = new_context(browser)
    yield context.new_page()
    context.close()


def stored(served: Served, item_id: int) -> tuple[State, dict[str, object], list[tuple[str, str]]]:
    store = open_store(f"sqlite:///{served.folder / 'rpa.db'}")
    try:
        item = store.get_item(Actor.worker("test"), item_id)
        trail = store.audit_trail(Actor.worker("test"), item_id=item_id)
        return item.state, item.payload, [(entry.actor, entry.action) for entry in trail]
    finally:
        store.close()


def test_ops_corrects_an_amount_wrong_first_then_right_and_the_item_is_queued_again(
    served: tuple[Served, int], page: Page
) -> None:
    console, item_id = served
    log_in(page, console, "lars")
    page.goto(console.url + "queue?state=business_exception")
    row = page.locator(f"#item-{item_id}")
    expect(row).to_contain_text("AMOUNT_OUT_OF_RANGE")
    assert_danish_only(page)
    shoot(page, console.folder, "queue-exceptions")
    row.get_by_role("link", name=texts.open_item(item_id)).click()
    expect(page.get_by_role("heading", name=texts.CORRECT_TITLE)).to_be_visible()
    amount = page.locator("#field-amount")
    expect(amount).to_have_value("75000.00")
    assert_danish_only(page)
    shoot(page, console.folder, "item-exception")

    amount.fill("mange penge")
    page.get_by_role("button", name=texts.CORRECT_BUTTON).click()
    expect(page.locator("#field-amount-error")).to_have_text(NOT_A_NUMBER)
    expect(page.get_by_role("alert")).to_have_text(texts.CORRECT_INVALID)
    expect(page.locator("#field-amount")).to_have_value("mange penge")
    assert page.locator("#field-amount").get_attribute("aria-describedby") == "field-amount-error"
    assert stored(console, item_id) == (State.BUSINESS_EXCEPTION, ROW, [])
    shoot(page, console.folder, "item-correction-error")

    page.locator("#field-amount").fill("45000,00")
    page.get_by_role("button", name=texts.CORRECT_BUTTON).click()
    expect(page.get_by_role("status")).to_have_text(texts.DONE_NOTICES["retry"])
    expect(page.locator(".state-tag")).to_have_text(texts.STATE_NAMES[State.NEW])
    state, payload, trail = stored(console, item_id)
    assert (state, payload) == (State.NEW, {**ROW, "amount": "45000.00"})
    assert trail == [("lars", "retry")]
    expect(page.locator(".audit")).to_contain_text("75000.00")  # old and new values in the history
    expect(page.locator(".audit")).to_contain_text("45000.00")
    assert_danish_only(page)
    shoot(page, console.folder, "item-retried")

    page.goto(console.url + "queue")
    expect(page.locator(f"#item-{item_id}")).to_have_attribute("data-state", "new")
    assert_danish_only(page)
    assert page.evaluate("document.querySelector('.items').parentElement.scrollWidth") <= page.evaluate(
        "document.querySelector('.items').parentElement.clientWidth"), "every column fits"
    shoot(page, console.folder, "queue")
