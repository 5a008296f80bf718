"""``riskwatch apikey create|revoke|list``: manage API keys."""

from __future__ import annotations

import argparse
from typing import Any

import anyio

from api.commands.graph_access import command_graph
from api.settings import load_settings
from graph.access.apikeys import ApiKeyRepository
from models.roles import Role

CLI_ACTOR = "cli"


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser("apikey", help="manage API keys")
    actions = parser.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create a key; prints it once, on the last line")
    create.add_argument("--role", required=True, choices=[role.value for role in Role])
    create.add_argument("--name", required=True)
    revoke = actions.add_parser("revoke", help="revoke a key by id or name")
    revoke.add_argument("ref", help="the key's id or name")
    actions.add_parser("list", help="list keys (never their secrets)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    return anyio.run(_run, args)


async def _run(args: argparse.Namespace) -> int:
    async with command_graph(load_settings()) as graph:
        keys = ApiKeyRepository(graph)
        if args.action == "create":
            key_id, key = await keys.create(args.name, Role(args.role), CLI_ACTOR)
            print(f"created key {key_id} ({args.role}) named {args.name!r}; it is shown only once:")
            print(key)
            return 0
        if args.action == "revoke":
            revoked = await keys.revoke(args.ref, CLI_ACTOR)
            if not revoked:
                print(f"no active key with id or name {args.ref!r}")
                return 1
            print("revoked " + ", ".join(revoked))
            return 0
        for info in await keys.list():
            state = f"revoked {info.revoked_at:%Y-%m-%d}" if info.revoked_at else "active"
            print(f"{info.id}  {info.role.value:<10} {info.name:<24} rw_{info.prefix}_…  {state}")
        return 0
