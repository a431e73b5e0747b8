"""Every page a person can reach passes axe-core with zero violations, in English and Spanish."""

from playwright.sync_api import expect

from .helpers import TEXT, assert_accessible, sign_in


def expect_language(page, language):
    expect(page.locator("html")).to_have_attribute("lang", language)


def test_it_serves_an_accessible_sign_in_page(lang_page, site, language):
    response = lang_page.goto(f"{site}/signin/")
    assert response.status == 200
    expect_language(lang_page, language)
    expect(lang_page.locator("h1")).to_have_text(TEXT[language]["signin_heading"])
    assert_accessible(lang_page)


def test_it_shows_accessible_field_errors_on_an_empty_sign_in(lang_page, site, language):
    lang_page.goto(f"{site}/signin/")
    lang_page.locator("main form button[type=submit]:not(.button--secondary)").click()
    summary = lang_page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("h2")).to_have_text(TEXT[language]["problem"])
    for field in ("id_user_id", "id_password"):
        field_input = lang_page.locator(f"#{field}")
        expect(field_input).to_have_attribute("aria-invalid", "true")
        # The error a screen reader reads with the field is the one shown beside it.
        described_by = field_input.get_attribute("aria-describedby").split()
        assert described_by, field
        for element_id in described_by:
            expect(lang_page.locator(f"#{element_id}")).to_be_visible()
        # Each summary link moves to its field.
        expect(summary.locator(f'a[href="#{field}"]')).to_have_count(1)
    assert_accessible(lang_page)


def test_it_shows_an_accessible_error_for_a_wrong_password(lang_page, site, language, student):
    lang_page.goto(f"{site}/signin/")
    lang_page.locator("#id_user_id").fill(student.user_id)
    lang_page.locator("#id_password").fill("not the password")
    with lang_page.expect_response(lambda r: r.request.method == "POST") as posted:
        lang_page.locator("main form button[type=submit]:not(.button--secondary)").click()
    assert posted.value.status == 400
    expect(lang_page.locator(".error-summary")).to_be_visible()
    expect(lang_page.locator(".error-summary")).to_contain_text(TEXT[language]["incorrect"])
    assert_accessible(lang_page)


def test_it_shows_an_accessible_account_page_after_sign_in_and_out(lang_page, site, language, student):
    sign_in(lang_page, site, student.user_id, student.password)
    expect_language(lang_page, language)
    expect(lang_page.locator("h1")).to_have_text(TEXT[language]["profile_heading"])
    expect(lang_page.locator("main")).to_contain_text(student.user_id)
    expect(lang_page.locator("main")).to_contain_text("Chris Smith")
    assert_accessible(lang_page)

    lang_page.locator("header form.signout button").click()
    expect(lang_page).to_have_url(f"{site}/signin/")
    expect(lang_page.locator(".messages")).to_be_visible()
    assert_accessible(lang_page)


def test_it_serves_an_accessible_not_found_page(lang_page, site, language):
    response = lang_page.goto(f"{site}/no/such/page/")
    assert response.status == 404
    expect_language(lang_page, language)
    expect(lang_page.locator("h1")).to_have_text(TEXT[language]["not_found"])
    assert_accessible(lang_page)


def test_it_serves_an_accessible_page_expired_page(lang_page, site, language, student):
    lang_page.goto(f"{site}/signin/")
    lang_page.context.clear_cookies()  # the CSRF cookie is gone, as after a browser restart
    lang_page.locator("#id_user_id").fill(student.user_id)
    lang_page.locator("#id_password").fill(student.password)
    with lang_page.expect_response(lambda r: r.request.method == "POST") as posted:
        lang_page.locator("main form button[type=submit]:not(.button--secondary)").click()
    assert posted.value.status == 403
    expect_language(lang_page, language)
    expect(lang_page.locator("h1")).to_have_text(TEXT[language]["expired"])
    assert_accessible(lang_page)


def test_an_unfamiliar_browser_on_a_busy_address_signs_in_after_an_accessible_check(lang_page, site, language,
                                                                                      student, settings):
    settings.CONFIG = settings.CONFIG.model_copy(update={
        "limits": settings.CONFIG.limits.model_copy(update={"signin_failures_per_ip": 1}),
        "reset": settings.CONFIG.reset.model_copy(update={"pow_difficulty": 10})})
    lang_page.goto(f"{site}/signin/")
    lang_page.locator("#id_user_id").fill("nobody@district.example")
    lang_page.locator("#id_password").fill("a guess, and a wrong one")
    lang_page.locator("main form button[type=submit]:not(.button--secondary)").click()
    lang_page.goto(f"{site}/signin/")  # the address has used its budget: the page carries the check
    expect(lang_page.locator("[data-captcha-pow]")).to_have_count(1)
    assert_accessible(lang_page)
    lang_page.locator("#id_user_id").fill(student.user_id)
    lang_page.locator("#id_password").fill(student.password)
    lang_page.locator("main form button[type=submit]:not(.button--secondary)").click()
    expect(lang_page).to_have_url(f"{site}/account/")
