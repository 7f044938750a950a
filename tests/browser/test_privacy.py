"""No request leaves for a third party, and pages carry the Content-Security-Policy header."""
from __future__ import annotations

import pytest

from tests.browser.conftest import RequestLog, login

pytestmark = pytest.mark.browser


def test_request_log_flags_third_parties():
    """The check used by every browser test does tell a foreign origin from the live server."""
    log = RequestLog("http://127.0.0.1:5123")
    log.urls += ["http://127.0.0.1:5123/", "http://127.0.0.1:5123/static/charte.css", "data:image/png;base64,AA=="]
    log.assert_same_origin()
    log.urls += ["http://127.0.0.1:5124/x", "https://fonts.example/font.woff2"]
    assert log.foreign() == ["http://127.0.0.1:5124/x", "https://fonts.example/font.woff2"]
    with pytest.raises(AssertionError):
        log.assert_same_origin()


def test_no_third_party_request_and_csp_header(page, make_seed, request_log, live_server):
    seed = make_seed("admin")
    public = ["/", "/accessibilite", "/connexion"]
    for path in public:
        response = page.goto(path)
        assert response.status == 200, path
    login(page, seed.email("admin"))
    private = ["/chartes/", f"/chartes/{seed.charte_id}", f"/chartes/{seed.charte_id}/versions",
               "/journal", "/admin/", "/admin/comptes", "/admin/modeles", f"/admin/modeles/{seed.modele_id}"]
    headers = {}
    for path in private:
        response = page.goto(path)
        assert response.status == 200, path
        headers[path] = response.all_headers()

    for path, h in headers.items():
        csp = h.get("content-security-policy", "")
        assert "default-src 'none'" in csp and "script-src 'self'" in csp, f"{path} : CSP absente ou faible : {csp!r}"
        assert "frame-ancestors 'none'" in csp, path
        assert h.get("x-content-type-options") == "nosniff", path

    # The log did record this test's pages and their stylesheet, all from the live server.
    visited = {u.removeprefix(live_server) for u in request_log.urls}
    assert set(public + private) | {"/static/charte.css"} <= visited, sorted(visited)
    request_log.assert_same_origin()
