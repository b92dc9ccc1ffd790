"""How pages answer what went wrong: to /login when there is no session, a plain page otherwise.

Mailchimp's refusals and outages are mapped here, once for every page: a form sent (POST) goes back
to the page it came from with Mailchimp's words as a flash (the request's transaction is rolled back
by the session dependency, so nothing is half-stored); a page asked for (GET) says it plainly.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from constituent.crm.errors import DomainError, InvalidInput, NotFound
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
    # A staffer reads the sentence, not the field path in front of it.
    message = exc.message if isinstance(exc, InvalidInput) else str(exc)
    return _problem(request, "That did not work", _sentence(message), 400)


def _sentence(message: str) -> str:
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


async def _invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    bounds = {"less_than_equal", "greater_than_equal", "less_than", "greater_than"}
    if any(error.get("type") in bounds for error in exc.errors()):
        message = "A number in this address or form is too large or too small. Go back and try again."
    else:
        message = "This address or form holds something that is not valid. Go back and try again."
    return _problem(request, "That did not work", message, 422)


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


_HTTP_TITLES = {404: "Page not found", 405: "Not possible here"}


async def _http_error(request: Request, exc: Exception) -> Response:
    """A browser asking for a page that is not there gets a page in the app's layout with a way back;
    scripts and scrapers (no text/html in Accept: /metrics, /healthz) keep FastAPI's JSON."""
    assert isinstance(exc, StarletteHTTPException)
    if "text/html" not in request.headers.get("accept", ""):
        return await http_exception_handler(request, exc)
    title = _HTTP_TITLES.get(exc.status_code, "That did not work")
    message = "There is no page at this address. Check the link, or start again from the dashboard."
    if exc.status_code == 413:  # web/body_limit.py: the body was cut off
        message = "What was sent is too large. " + str(exc.detail)
    elif exc.status_code != 404:
        message = "This address cannot be used that way. Go back and try again from the page."
    response = _problem(request, title, message, exc.status_code)
    response.headers.update(exc.headers or {})
    return response


def install_error_pages(app: FastAPI) -> None:
    # The pages' own answer to a malformed address or form (the API, a sub-app, keeps its JSON 422).
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(CsrfRejected, _csrf_rejected)
    app.add_exception_handler(AdminRequired, _admin_required)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(MailchimpError, _mailchimp_error)
