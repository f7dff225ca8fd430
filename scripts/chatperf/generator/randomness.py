"""Randomness and ids: scalar draws from pre-drawn numpy blocks, and unique random-looking
ids from a bijective 64-bit mix of counters (no wall-clock time, so same seed, same ids)."""

from __future__ import annotations

import bisect
import math
from collections import defaultdict

import numpy as np


def cumulative(weights) -> list[float]:
    out, acc = [], 0.0
    for w in weights:
        acc += w
        out.append(acc)
    return out


def probabilities(weights) -> np.ndarray:
    a = np.asarray(weights, dtype=float)
    return a / a.sum()


_MIX_ADD = np.uint64(0x9E3779B97F4A7C15)
_MIX_M1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_M2 = np.uint64(0x94D049BB133111EB)


def mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a bijection on 64-bit integers (so distinct in, distinct out)."""
    x = x.astype(np.uint64, copy=True)
    with np.errstate(over="ignore"):
        x += _MIX_ADD
        x ^= x >> np.uint64(30)
        x *= _MIX_M1
        x ^= x >> np.uint64(27)
        x *= _MIX_M2
        x ^= x >> np.uint64(31)
    return x


def hex_ids(prefix: str, values: np.ndarray) -> list[str]:
    return [f"{prefix}{v:016x}" for v in values.tolist()]


class Ids:
    """Unique, random-looking ids: ``mix64(key ^ (kind << 56 | counter))`` as 16 hex digits."""

    KINDS = {
        "evt": 1, "msg": 2, "conv": 3, "anon": 4, "qa": 5, "sess": 6, "pv": 7, "asg": 8,
        "cus": 9, "ch": 10, "re": 11, "sub": 12, "in": 13, "tok": 14, "conversion": 15,
        "crawler": 16, "form": 17,
    }  # fmt: skip

    def __init__(self, seed: int) -> None:
        self.key = int(mix64(np.array([seed & ((1 << 56) - 1)], dtype=np.uint64))[0])
        self.key &= (1 << 56) - 1  # keep the kind byte intact so kinds never collide
        self.counters: dict[str, int] = defaultdict(int)
        self.pools: dict[str, list[str]] = defaultdict(list)

    def raw(self, kind: str, counters: np.ndarray) -> np.ndarray:
        base = np.uint64(self.KINDS[kind] << 56)
        return mix64((counters.astype(np.uint64) ^ np.uint64(self.key)) | base)

    def block(self, kind: str, n: int, prefix: str | None = None) -> list[str]:
        c = self.counters[kind]
        self.counters[kind] = c + n
        values = self.raw(kind, np.arange(c, c + n, dtype=np.uint64))
        return hex_ids(f"{kind}_" if prefix is None else prefix, values)

    def one(self, kind: str) -> str:
        pool = self.pools[kind]
        if not pool:
            pool.extend(reversed(self.block(kind, 4096)))
        return pool.pop()

    def uuid(self, kind: str) -> str:
        """A UUID-shaped id (HubSpot conversion ids)."""
        h = self.one(kind)[-16:] + self.one(kind)[-16:]
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"

    def for_values(self, kind: str, values: np.ndarray, prefix: str) -> list[str]:
        """Ids derived from given distinct values (e.g. visitor numbers)."""
        return hex_ids(prefix, self.raw(kind, values))


class Draw:
    """Scalar random draws from pre-drawn numpy blocks (fast in Python loops)."""

    __slots__ = ("rng", "_u", "_ui", "_n", "_ni")
    BLOCK = 1 << 16

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self._u: list[float] = []
        self._ui = 0
        self._n: list[float] = []
        self._ni = 0

    def u(self) -> float:
        i = self._ui
        if i >= len(self._u):
            self._u = self.rng.random(self.BLOCK).tolist()
            i = 0
        self._ui = i + 1
        return self._u[i]

    def n(self) -> float:
        i = self._ni
        if i >= len(self._n):
            self._n = self.rng.standard_normal(self.BLOCK).tolist()
            i = 0
        self._ni = i + 1
        return self._n[i]

    def lognorm(self, mu: float, sigma: float) -> float:
        return math.exp(mu + sigma * self.n())

    def pick(self, seq):
        return seq[int(self.u() * len(seq))]

    def wpick(self, items, cum):
        return items[bisect.bisect_right(cum, self.u() * cum[-1])]

    def between(self, lo: float, hi: float) -> float:
        return lo + (hi - lo) * self.u()

    def poisson(self, lam: float) -> int:
        # inverse transform; fine for the small means used here
        k, p = 0, math.exp(-lam)
        s, x = p, self.u()
        while x > s and k < 50:
            k += 1
            p *= lam / k
            s += p
        return k


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))
