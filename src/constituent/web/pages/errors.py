"""How pages answer what went wrong: to /login when there is no session, a plain page otherwise.

Mailchimp's refusals and outages are mapped here, once for every page: a form sent (POST) goes back
to the page it came from with Mailchimp's words as a flash (the request's transaction is rolled back
by the session dependency, so nothing is half-stored); a page asked for (GET) says it plainly.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from constituent.crm.errors import DomainError, NotFound
from constituent.integrations.mailchimp.errors import MailchimpError
from constituent.web.csrf import CsrfRejected
from constituent.web.pages.deps import AdminRequired, LoginRequired
from constituent.web.pages.rendering import flash, render


def login_url(request: Request) -> str:
    # Only a page one can GET is worth coming back to; after a refused POST, start at the dashboard.
    if request.method != "GET":
        return "/login"
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?" + urlencode({"next": target})


async def _login_required(request: Request, _exc: Exception) -> Response:
    url = login_url(request)
    if request.headers.get("HX-Request"):
        # htmx would swap the login page into a fragment; ask it to load the whole page instead.
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _problem(request: Request, title: str, message: str, status_code: int) -> HTMLResponse:
    context = {"title": title, "message": message}
    return render(request, "problem.html", context, status_code=status_code)


async def _csrf_rejected(request: Request, _exc: Exception) -> Response:
    message = (
        "This form was not sent from a page of this site, or it is too old. "
        "Go back, reload the page and try again."
    )
    return _problem(request, "Form expired", message, 403)


async def _admin_required(request: Request, _exc: Exception) -> Response:
    return _problem(request, "Administrators only", "Ask an administrator to do this.", 403)


async def _domain_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, NotFound):
        return _problem(request, "Not found", str(exc).capitalize() + ".", 404)
    return _problem(request, "That did not work", str(exc), 400)


async def _mailchimp_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, MailchimpError)
    sentence = f"Not changed. {staff_sentence(exc)}"
    if request.method == "GET":
        return _problem(request, "Mailchimp did not help", sentence, 502)
    flash(request, "error", sentence)
    return RedirectResponse(_came_from(request), status_code=303)


def staff_sentence(exc: MailchimpError) -> str:
    """Mailchimp's words for a staffer: a refusal as Mailchimp said it, an outage as a plain sentence."""
    if exc.retryable:
        return "Mailchimp could not be reached just now; nothing was changed there. Try again later."
    return exc.describe()


def _came_from(request: Request) -> str:
    """The page the form was on (a path of this site only, never another site's address)."""
    referer = request.headers.get("referer", "")
    base = str(request.base_url)
    if referer.startswith(base):
        return "/" + referer[len(base) :]
    return "/"


def install_error_pages(app: FastAPI) -> None:
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(CsrfRejected, _csrf_rejected)
    app.add_exception_handler(AdminRequired, _admin_required)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(MailchimpError, _mailchimp_error)
