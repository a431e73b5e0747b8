from .helpers import assert_accessible, sign_in

def test_it_smokes(page, site, student):
    page.goto(site + "/signin/")
    print(page.context.cookies())
    sign_in(page, site, student.user_id, student.password)
    print(page.context.cookies())
    print(page.inner_text("main"))
    assert_accessible(page)
