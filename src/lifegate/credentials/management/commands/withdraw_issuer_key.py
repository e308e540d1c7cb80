"""`manage.py withdraw_issuer_key <kid>`: take a stolen or lost issuer key out of use at once.

It is removed from the published key set (peers that cached it drop it within
`trust.JWKS_CACHE_SECONDS` plus the metadata's max-age) and this node refuses what it signed
(`withdrawn-key`); a current key is replaced by a new one first. Then, in the worker (or here
with --now), the portal wallet's credentials it signed are signed again and the holders of
copies in external wallets are told to pick up a new copy (`withdrawal`). Running it again
for the same kid repeats that follow-up, nothing else. `--list` shows the ring.

The key is named by its kid or by its number in `--list`. A kid may begin with "-" (it is
base64url): put it after "--" (`withdraw_issuer_key --now -- -AbC...`), or use the number."""

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from lifegate.credentials import keys, tasks, withdrawal


class Command(BaseCommand):
    help = (
        "Withdraw the credentials issuer key <kid> at once (a stolen or lost key); the "
        "credentials it signed are signed again (portal wallet) or their holders told to "
        "pick up a new copy (external wallets). --list shows the keys."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kid",
            nargs="?",
            help='the kid of the key to withdraw (after "--" when it begins with "-"), or its '
            "number in --list",
        )
        parser.add_argument("--list", action="store_true", help="list the issuer keys")
        parser.add_argument("--now", action="store_true", help="do the follow-up here")

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            self._list()
            return
        kid = self._kid(options["kid"])
        try:
            done = keys.withdraw(kid)
        except keys.UnknownKey:
            raise CommandError(f"no issuer key has kid {kid!r} (--list shows them)") from None
        state = "already withdrawn" if done.already else "withdrawn"
        self.stdout.write(f"{state}: {done.key.kid}")
        if done.rotated:
            self.stdout.write(f"new current key: {done.current.kid}")
        affected = withdrawal.pending(kid)
        self.stdout.write(
            f"credentials to sign again in the portal wallet: {affected.portal}; "
            f"valid in external wallets (holders told to pick up a new copy): "
            f"{affected.in_wallets}"
        )
        if options["now"]:
            self.stdout.write(tasks.after_key_withdrawal.call(kid))
        else:
            tasks.after_key_withdrawal.enqueue(kid)
            self.stdout.write("enqueued: after_key_withdrawal")

    def _kid(self, named: str | None) -> str:
        """The kid of the key `named` by its kid or its number."""
        if not named:
            raise CommandError("name the kid of the key to withdraw (--list shows them)")
        if named.isdigit():
            for key in keys.ring().keys:
                if key.number == int(named):
                    return key.kid
        return named

    def _list(self) -> None:
        try:
            published = {str(key.kid) for key in keys.published_keys()}
        except ImproperlyConfigured as broken:  # the current key was withdrawn by hand
            self.stderr.write(str(broken))
            published = set()
        ring = keys.ring()
        for key in ring.keys:
            if key.withdrawn_at:
                state = f"withdrawn {key.withdrawn_at:%Y-%m-%d %H:%M}"
            elif key is ring.keys[-1]:
                state = "current"
            else:
                state = f"retired {key.retired_at:%Y-%m-%d %H:%M}" if key.retired_at else "retired"
            shown = "published" if key.kid in published else "not published"
            self.stdout.write(f"{key.number}\t{key.kid}\t{state}\t{shown}")
