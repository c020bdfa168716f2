from typing import Annotated, Literal, TypedDict

from fastapi import APIRouter, Cookie, Request, Response, status

from services.gateway.config import Settings
from services.gateway.deps import CurrentUser, SessionDep, SettingsDep
from services.gateway.models.accounts import AuthTokens, LogIn, Me, SignUp, TokenRequest
from services.gateway.use_cases import accounts as use_cases
from shared.errors import error_responses
from shared.forwarded import client_address
from shared.tokens import ACCESS_COOKIE, REFRESH_COOKIE

router = APIRouter(tags=["accounts"])

# the refresh token is only ever needed by these routes, so the browser sends it nowhere else
REFRESH_PATH = "/api/auth"

# marks this browser as one the account signed in from (services/gateway/throttle.py); not a credential
DEVICE_COOKIE = "gf_device"

RefreshCookie = Annotated[str | None, Cookie(alias=REFRESH_COOKIE, include_in_schema=False)]
DeviceCookie = Annotated[str | None, Cookie(alias=DEVICE_COOKIE, include_in_schema=False)]


class CookieFlags(TypedDict):
    httponly: bool
    samesite: Literal["lax", "strict", "none"]
    secure: bool


def cookie_flags(settings: Settings) -> CookieFlags:
    return {"httponly": True, "samesite": "lax", "secure": settings.cookie_secure}


def set_auth_cookies(response: Response, settings: Settings, tokens: AuthTokens) -> None:
    common = cookie_flags(settings)
    response.set_cookie(
        ACCESS_COOKIE, tokens.access_token, max_age=settings.access_token_ttl_s, path="/", **common
    )
    response.set_cookie(
        REFRESH_COOKIE,
        tokens.refresh_token,
        max_age=settings.refresh_token_ttl_s,
        path=REFRESH_PATH,
        **common,
    )


def set_sign_in_cookies(
    response: Response, settings: Settings, signed_in: use_cases.SignedIn
) -> None:
    set_auth_cookies(response, settings, signed_in.tokens)
    # kept across logouts: it says the browser is familiar, not who is signed in
    response.set_cookie(
        DEVICE_COOKIE,
        signed_in.device_token,
        max_age=settings.login_trust_ttl_s,
        path=REFRESH_PATH,
        **cookie_flags(settings),
    )


def clear_auth_cookies(response: Response, settings: Settings) -> None:
    common = cookie_flags(settings)
    response.delete_cookie(ACCESS_COOKIE, path="/", **common)
    response.delete_cookie(REFRESH_COOKIE, path=REFRESH_PATH, **common)


def client_ip(request: Request, settings: Settings) -> str:
    """The caller's address; X-Forwarded-For counts only from TRUSTED_PROXIES."""
    return client_address(request.scope, settings.trusted_proxies)


@router.post(
    "/auth/signup",
    status_code=status.HTTP_201_CREATED,
    response_model=AuthTokens,
    responses=error_responses(409, 422),
)
async def sign_up(
    session: SessionDep, settings: SettingsDep, body: SignUp, request: Request, response: Response
):
    """Create an account and sign in to it (409 if the email cannot be used; a weak password is a 422
    on the `password` field)."""
    signed_in = await use_cases.sign_up(session, settings, body, client_ip(request, settings))
    set_sign_in_cookies(response, settings, signed_in)
    return signed_in.tokens


@router.post("/auth/login", response_model=AuthTokens)
async def log_in(
    session: SessionDep,
    settings: SettingsDep,
    body: LogIn,
    request: Request,
    response: Response,
    device: DeviceCookie = None,
):
    """Sign in with email and password (repeated failures are slowed down: 429 with Retry-After)."""
    signed_in = await use_cases.log_in(
        session, settings, body, client_ip(request, settings), device
    )
    set_sign_in_cookies(response, settings, signed_in)
    return signed_in.tokens


@router.post("/auth/refresh", response_model=AuthTokens)
async def refresh(
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    cookie: RefreshCookie = None,
    body: TokenRequest | None = None,
):
    """Trade a refresh token (body or cookie) for new tokens; the old refresh token stops working."""
    tokens = await use_cases.refresh(session, settings, (body and body.refresh_token) or cookie)
    set_auth_cookies(response, settings, tokens)
    return tokens


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
async def log_out(
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    cookie: RefreshCookie = None,
    body: TokenRequest | None = None,
):
    """End this session: revoke its refresh token and clear the cookies."""
    await use_cases.log_out(session, (body and body.refresh_token) or cookie)
    clear_auth_cookies(response, settings)


@router.get("/me", response_model=Me)
async def me(session: SessionDep, user: CurrentUser):
    """The signed-in user and their households, with their role in each."""
    return await use_cases.get_me(session, user.id)
