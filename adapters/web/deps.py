"""FastAPI dependencies: the core built in the lifespan, background work, and auth."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from adapters.background import BackgroundWork
from adapters.web.security import is_authorized
from bot.config import Settings
from bot.core import Sentibot


class LoginRequired(Exception):
    """A page was asked for without the token; the handler redirects to /login."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def get_core(request: Request) -> Sentibot:
    return request.app.state.core


def get_background(request: Request) -> BackgroundWork:
    return request.app.state.background


def get_settings(request: Request) -> Settings:
    return request.app.state.core.settings


CoreDep = Annotated[Sentibot, Depends(get_core)]
BackgroundDep = Annotated[BackgroundWork, Depends(get_background)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def require_api_token(request: Request, core: CoreDep) -> None:
    """API calls: `Authorization: Bearer <SENTIBOT_WEB_TOKEN>` or the login cookie."""
    if not is_authorized(request, core):
        raise HTTPException(
            status_code=401,
            detail="this API needs the token: send `Authorization: Bearer <SENTIBOT_WEB_TOKEN>`",
            headers={"WWW-Authenticate": "Bearer"},
        )


def require_page_token(request: Request, core: CoreDep) -> None:
    """Pages: without the token, go to the login form and come back."""
    if not is_authorized(request, core):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)


ApiAuth = Depends(require_api_token)
PageAuth = Depends(require_page_token)
