import time
import pytest
from tests.browser.conftest import sign_in

def test_timing(live_server, page, make_user, make_question):
    t = time.time()
    u = make_user()
    q = make_question(u)
    print("data", time.time() - t); t = time.time()
    sign_in(page, live_server, u)
    print("signin", time.time() - t); t = time.time()
    for path in ["/", "/fragen", f"/fragen/{q}", "/fragen/neu", "/loesungen", "/kommunen", "/themen"]:
        page.goto(path)
        print(path, time.time() - t); t = time.time()
