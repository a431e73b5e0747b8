"""What the pages look like on a 360 px phone, measured in Chromium: radio buttons keep their size
and sit on their label's first line when the label wraps, long security questions are shown whole
in their selects, links look like links and buttons like buttons, the read-only user ID is not a
box, and on paper the header's buttons, the language switch and the skip link are gone."""

from playwright.sync_api import Page, expect

from sspr.methods.kinds.questions import POOL

from ..methods.conftest import give_method
from .helpers import PHONE, assert_accessible, sign_in
from .test_reset import captcha_mode, email_and_phone, no_captcha, who_are_you  # noqa: F401 (fixtures)

WIDTH = PHONE["viewport"]["width"]

BOXES = """() => [...document.querySelectorAll('main input[type=radio]')].map(radio => {
  const box = radio.getBoundingClientRect();
  const label = radio.labels[0];
  const lines = label.getClientRects();
  const style = getComputedStyle(label);
  const lineHeight = parseFloat(style.lineHeight);
  const firstLineTop = label.getBoundingClientRect().top + parseFloat(style.paddingTop);
  return {left: box.left, width: box.width, height: box.height, middle: box.top + box.height / 2,
          firstLineMiddle: firstLineTop + lineHeight / 2,
          labelLines: Math.round((label.getBoundingClientRect().height - parseFloat(style.paddingTop)
                                  - parseFloat(style.paddingBottom)) / lineHeight),
          labelLeft: label.getBoundingClientRect().left};
})"""


def assert_no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} scrolls sideways: {width}px at {WIDTH}px"


def test_radios_keep_their_size_and_line_when_a_label_wraps(page_in, site, staff, email_and_phone,  # noqa: F811
                                                            no_captcha, language):  # noqa: F811
    page = page_in(language, **PHONE)
    page.goto(f"{site}/reset/")
    who_are_you(page, staff.user_id)
    boxes = page.evaluate(BOXES)
    assert len(boxes) == 2
    assert any(box["labelLines"] >= 2 for box in boxes), f"no label wraps at {WIDTH}px: {boxes}"
    for box in boxes:
        # 24 px, as drawn for one line, however many lines the label takes.
        assert (round(box["width"]), round(box["height"])) == (24, 24), boxes
        # In one column, beside its label, centred on the label's first line.
        assert box["left"] == boxes[0]["left"] and box["labelLeft"] == boxes[0]["labelLeft"], boxes
        assert abs(box["middle"] - box["firstLineMiddle"]) <= 2, boxes
    assert_no_sideways_scroll(page)
    assert_accessible(page)


def test_a_long_security_question_is_shown_whole_on_a_phone(page_in, site, student, language):
    page = page_in(language, **PHONE)
    sign_in(page, site, student.user_id, student.password)
    page.goto(f"{site}/security-info/")
    page.locator("#id_password").fill(student.password)
    page.locator("main form button[type=submit]:not(.button--secondary)").click()
    page.goto(f"{site}/security-info/add/questions/")
    select = page.locator("#id_question_1")
    one_line = select.bounding_box()["height"]
    longest = max(POOL, key=lambda key: len(page.locator(f"#id_question_1 option[value={key}]").inner_text()))
    select.select_option(longest)
    box = select.bounding_box()
    # The whole question, on as many lines as it needs, inside the phone's width.
    assert box["height"] >= one_line + 20, f"the chosen question is cut off (one line is {one_line}px): {box}"
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
    select.click()  # the list of questions, open, fits the screen as well
    picker = page.evaluate("""() => {
      const option = [...document.querySelectorAll('#id_question_1 option')].at(-1).getBoundingClientRect();
      return {left: option.left, right: option.right};
    }""")
    assert picker["left"] >= 0 and picker["right"] <= WIDTH, picker
    page.keyboard.press("Escape")
    assert_no_sideways_scroll(page)
    assert_accessible(page)


LOOKS = """() => {
  const look = el => { const s = getComputedStyle(el);
    return [s.color, s.fontWeight, s.textDecorationLine, s.backgroundColor].join(' | '); };
  const shown = el => el.offsetParent !== null;
  return {
    links: [...new Set([...document.querySelectorAll('main a:not(.button), .button--link')].filter(shown).map(look))],
    buttons: [...new Set([...document.querySelectorAll('main .button:not(.button--link):not(.button--secondary)')]
                         .filter(shown).map(look))],
  };
}"""


def test_links_and_buttons_have_one_look_each(page_in, site, student, outbox):
    give_method(student, "phone", "+12025550143")
    page = page_in("en", **PHONE)
    page.goto(f"{site}/signin/")
    page.locator("#id_user_id").fill(student.user_id)
    page.locator("#id_password").fill(student.password)
    page.locator("main form button[type=submit]:not(.button--secondary)").click()
    page.get_by_role("button", name="Next").click()  # the code page: a form's button, a link, a quiet button
    expect(page.locator("#id_code")).to_be_visible()
    seen = page.evaluate(LOOKS)
    page.goto(f"{site}/reset/")  # a link styled as a button (Cancel) and a form's button
    more = page.evaluate(LOOKS)
    assert len(set(seen["links"] + more["links"])) == 1, (seen, more)
    assert len(set(seen["buttons"] + more["buttons"])) == 1, (seen, more)
    # A button never looks underlined, whether it is a <button> or a link dressed as one.
    assert all("underline" not in look for look in seen["buttons"] + more["buttons"])


def test_the_read_only_user_id_is_text_not_a_box(page_in, site, student):
    page = page_in("en", **PHONE)
    sign_in(page, site, student.user_id, student.password)
    page.goto(f"{site}/account/password/")
    user_id = page.locator("#id_user_id")
    expect(user_id).to_have_value(student.user_id)
    style = user_id.evaluate("""el => { const s = getComputedStyle(el);
      return {border: s.borderTopColor, background: s.backgroundColor, left: el.getBoundingClientRect().left,
              label: el.closest('.field').querySelector('label').getBoundingClientRect().left}; }""")
    assert style["border"] == "rgba(0, 0, 0, 0)" and style["background"] == "rgba(0, 0, 0, 0)", style
    assert abs(style["left"] - style["label"]) <= 1, style  # in line with its label, as text is
    assert_no_sideways_scroll(page)


PRINTED = """() => ['.skip-link', 'header form.signout', '.language-switch', '.demo-banner', 'main .button']
  .map(selector => [...document.querySelectorAll(selector)])
  .map(found => found.length && found.every(el => getComputedStyle(el).display === 'none'))"""


def test_on_paper_only_the_page_is_printed(page_in, site, student, outbox):  # outbox: the demo's banner too
    page = page_in("en")
    sign_in(page, site, student.user_id, student.password)
    page.goto(f"{site}/account/password/")  # a form's buttons, the header's Sign out, the language switch
    page.emulate_media(media="print")
    hidden = page.evaluate(PRINTED)
    assert all(hidden), hidden  # each is on the page, and none is printed
    page.goto(f"{site}/account/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    # An address a reader can type is written after its link; the portal's own links are not.
    page.evaluate("""() => { const a = document.createElement('a'); a.href = 'https://help.district.example/';
      a.textContent = 'Help'; a.id = 'outside'; document.querySelector('main').append(a); }""")
    after = page.evaluate("() => getComputedStyle(document.querySelector('#outside'), '::after').content")
    assert after == '" (https://help.district.example/)"'
    own = page.evaluate("() => getComputedStyle(document.querySelector('main .actions a'), '::after').content")
    assert own == "none"
    page.pdf(path=None)  # it prints
