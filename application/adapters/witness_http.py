"""Reaching a witness over HTTP (c2sp.org/tlog-witness ``add-checkpoint``), with the
standard library only."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable

#: How long one call may take: a witness answers after one signature and one file write.
TIMEOUT_SECONDS = 30


def add_checkpoint_at(submission_prefix: str) -> Callable[[str], tuple[int, str]]:
    """``post(body) -> (status, text)`` for the witness at this submission prefix."""
    url = submission_prefix.rstrip("/") + "/add-checkpoint"

    def post(body: str) -> tuple[int, str]:
        request = urllib.request.Request(
            url,
            data=body.encode(),
            method="POST",
            headers={"Content-Type": "text/plain; charset=utf-8"},
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:
                return int(answer.status), answer.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return int(error.code), error.read().decode("utf-8", "replace")

    return post
