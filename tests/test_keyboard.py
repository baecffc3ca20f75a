"""The code-selection guide walked with the keyboard alone: Tab to an answer, Enter.

Every element that takes focus on the way must show it (WCAG 2.4.7): a visible outline
or focus ring on an element that has a size on screen.
"""
from __future__ import annotations

import pytest
from local_site import keep_local

MAX_TABS_PER_PAGE = 120  # header, nav and toc come first; a page needing more is a trap

FOCUS_STATE = """() => {
  let el = document.activeElement;
  if (!el || el === document.body) return null;
  // Material's palette switch is a zero-size radio; its visible focus is on the label after it.
  const shown = el.matches('input.md-option') ? el.nextElementSibling : el;
  const s = getComputedStyle(shown);
  const r = shown.getBoundingClientRect();
  return {
    what: el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).trim().split(/\\s+/).join('.') : '')
          + (el.getAttribute('href') ? '[href=' + el.getAttribute('href') + ']' : ''),
    answer: el.matches('a.guide-answer'),
    text: (el.textContent || '').trim(),
    ring: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none',
    sized: r.width >= 1 && r.height >= 1,
    opaque: s.opacity === '1' && s.visibility === 'visible',
  };
}"""


def focus_state(page) -> dict | None:
    # Material fades some controls in on focus (skip link, permalinks): let it finish.
    page.wait_for_function(
        "() => !document.activeElement || getComputedStyle(document.activeElement.matches('input.md-option')"
        " ? document.activeElement.nextElementSibling : document.activeElement).opacity === '1'",
        timeout=2000,
    )
    return page.evaluate(FOCUS_STATE)


def tab_to_answer(page, pick: str, unseen: list[str]) -> dict:
    """Tab until the wanted answer link has focus; every stop on the way must show focus."""
    answers = page.locator("a.guide-answer").count()
    assert answers >= 2, f"{page.url}: a question with fewer than two answers"
    wanted = 1 if pick == "first" else answers
    seen_answers = 0
    for _ in range(MAX_TABS_PER_PAGE):
        page.keyboard.press("Tab")
        state = focus_state(page)
        assert state is not None, f"{page.url}: Tab moved focus out of the page"
        if not (state["ring"] and state["sized"] and state["opaque"]):
            unseen.append(f"{page.url}: {state['what']}")
        if state["answer"]:
            seen_answers += 1
            if seen_answers == wanted:
                return state
    pytest.fail(f"{page.url}: answer {wanted} not reached in {MAX_TABS_PER_PAGE} Tab presses")


@pytest.mark.browser
@pytest.mark.parametrize("pick", ["first", "last"])
def test_guide_can_be_walked_to_a_result_with_the_keyboard_alone(browser, served, pick):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    keep_local(context, served)
    page = context.new_page()
    unseen: list[str] = []
    try:
        page.goto(served + "guide/index.html")
        assert page.locator("a.guide-answer").count() >= 2, "the guide's start page has no answer links"
        steps = []
        for _ in range(15):
            if page.locator(".guide-result").count():
                break
            answer = tab_to_answer(page, pick, unseen)
            steps.append(answer["text"])
            with page.expect_navigation():
                page.keyboard.press("Enter")
        else:
            pytest.fail(f"no result after 15 answers: {steps}")
        assert page.url.startswith(served + "guide/") and page.url.endswith(".html")
        assert page.locator(".guide-result h1").count() == 1
        assert page.locator(".guide-codes .code").count() >= 1, f"result without a code after {steps}"
        # The answers given are listed on the result, each with its own Change link.
        assert page.locator(".guide-summary__row").count() == len(steps)
        assert page.locator(".guide-summary__change a").count() == len(steps)
    finally:
        context.close()
    assert not unseen, "focus not visible on:\n" + "\n".join(unseen)


@pytest.mark.browser
def test_focus_is_visible_on_every_tab_stop_of_a_reference_page(browser, served):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    keep_local(context, served)
    page = context.new_page()
    unseen, stops = [], 0
    try:
        page.goto(served + "related-codes.html")
        first = None
        for _ in range(400):
            page.keyboard.press("Tab")
            state = focus_state(page)
            if state is None or state["what"] == first:
                break  # focus left the page or came round again
            first = first or state["what"]
            stops += 1
            if not (state["ring"] and state["sized"] and state["opaque"]):
                unseen.append(state["what"])
    finally:
        context.close()
    assert stops > 10
    assert not unseen, "focus not visible on:\n" + "\n".join(unseen)
