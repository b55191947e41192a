"""Web commands: serve, user (add, list, set, token, tokens, revoke)."""

from __future__ import annotations

import os
import sys

import click

from watchboard.cli import Context, cli, err, json_option, out, pass_ctx, print_json
from watchboard.jobs import accounts


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--insecure-cookies",
    is_flag=True,
    help="Send session cookies over plain HTTP (development on a loopback address only; "
    "behind TLS, leave this off).",
)
@pass_ctx
def serve(obj: Context, host: str, port: int, workers: int, insecure_cookies: bool) -> None:
    """Serve the web workbench and the REST API (docs at /api/docs).

    Create the first account with 'watchboard user add NAME --role admin'.
    """
    import uvicorn

    from watchboard.jobs import open_workspace

    settings, store = open_workspace(obj.workspace)
    store.close()
    if insecure_cookies and host not in ("127.0.0.1", "localhost", "::1"):
        raise click.UsageError("--insecure-cookies is only allowed on a loopback address")
    os.environ["WATCHBOARD_WORKSPACE"] = str(settings.workspace.resolve())
    os.environ["WATCHBOARD_SECURE_COOKIES"] = "0" if insecure_cookies else "1"
    out.print(f"Watchboard on http://{host}:{port}/  (API docs: /api/docs)", markup=False)
    uvicorn.run(
        "watchboard.web.main:build",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        proxy_headers=False,
    )


@cli.group("user")
def user_cmd() -> None:
    """Accounts for the web workbench and the API."""


def _password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_cmd.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(accounts.ROLES), default="viewer", show_default=True)
@click.option("--case", "cases", multiple=True, metavar="SLUG", help="A case they may open.")
@click.option("--name", "display_name", help="Display name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_ctx
def user_add(
    obj: Context,
    username: str,
    role: str,
    cases: tuple[str, ...],
    display_name: str | None,
    password_stdin: bool,
) -> None:
    """Create an account (the first one should be an admin: --role admin)."""
    password = _password(password_stdin)
    with obj.store() as (_, store):
        accounts.add_user(
            store, username, password, role=role, cases=cases, display_name=display_name
        )
    where = "every case" if role == "admin" else (", ".join(cases) or "no case yet")
    out.print(f"user {username} ({role}) can open {where}", markup=False)


@user_cmd.command("list")
@json_option
@pass_ctx
def user_list(obj: Context, as_json: bool) -> None:
    """Accounts with their roles and cases."""
    with obj.store() as (_, store):
        rows = accounts.list_users(store)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        state = " (disabled)" if r["disabled"] else ""
        cases = "every case" if r["role"] == "admin" else ", ".join(r["cases"]) or "-"
        out.print(f"{r['username']:<20} {r['role']:<8} {cases}{state}", markup=False)


@user_cmd.command("set")
@click.argument("username")
@click.option("--role", type=click.Choice(accounts.ROLES))
@click.option("--case", "cases", multiple=True, metavar="SLUG", help="Replace their cases.")
@click.option("--no-cases", is_flag=True, help="Take every case away.")
@click.option("--disable/--enable", default=None, help="Block or allow signing in.")
@click.option("--password", "new_password", is_flag=True, help="Set a new password (prompted).")
@click.option("--password-stdin", is_flag=True, help="Read the new password from stdin.")
@pass_ctx
def user_set(
    obj: Context,
    username: str,
    role: str | None,
    cases: tuple[str, ...],
    no_cases: bool,
    disable: bool | None,
    new_password: bool,
    password_stdin: bool,
) -> None:
    """Change an account's role, cases, password or whether it may sign in."""
    password = _password(password_stdin) if (new_password or password_stdin) else None
    with obj.store() as (_, store):
        changed = accounts.update_user(
            store,
            username,
            role=role,
            cases=list(cases) if (cases or no_cases) else None,
            password=password,
            disabled=disable,
        )
    out.print(
        f"{username}: " + (", ".join(f"{k} → {v}" for k, v in changed.items()) or "no change")
    )


@user_cmd.command("token")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for (e.g. 'nightly export').")
@pass_ctx
def user_token(obj: Context, username: str, name: str) -> None:
    """Create an API token (shown once; send it as 'Authorization: Bearer TOKEN')."""
    with obj.store() as (_, store):
        token = accounts.new_token(store, username, name)
    err.print("Keep this token secret; it is not shown again:", markup=False)
    click.echo(token)


@user_cmd.command("tokens")
@click.argument("username", required=False)
@json_option
@pass_ctx
def user_tokens(obj: Context, username: str | None, as_json: bool) -> None:
    """API tokens (never their values)."""
    with obj.store() as (_, store):
        rows = accounts.list_tokens(store, username)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        state = "revoked" if r["revoked_at"] else "live"
        out.print(f"{r['id']:>4}  {r['username']:<16} {r['name']:<24} {state}", markup=False)


@user_cmd.command("revoke")
@click.argument("token_id", type=int)
@pass_ctx
def user_revoke(obj: Context, token_id: int) -> None:
    """Revoke an API token by its number (see 'user tokens')."""
    with obj.store() as (_, store):
        accounts.revoke_token(store, token_id)
    out.print(f"token {token_id} revoked", markup=False)
