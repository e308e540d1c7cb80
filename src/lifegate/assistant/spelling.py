"""Reading past misspellings and split or joined words, against the words the catalogue uses.

A word the catalogue does not know is compared with the catalogue's words that share enough
character trigrams with it; the closest one within a small edit distance (letters swapped,
missing, extra or wrong) stands in for it. A Dutch compound the catalogue does not know
(`zorgverzekeringkind`) is read as two words it does know."""

from collections import defaultdict
from collections.abc import Iterable

MIN_CORRECTED_LENGTH = 4
MIN_COMPOUND_PART = 3
LONG_WORD = 9


def _trigrams(word: str) -> set[str]:
    padded = f"^{word}$"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def max_distance(word: str) -> int:
    """How many edits a word of this length may be from the one it stands for: one, and two
    for long words (`kinderbijslg` → `kinderbijslag`); a swap of neighbours is one edit."""
    return 1 if len(word) < LONG_WORD else 2


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours counts as one edit); anything
    above `limit` is reported as `limit + 1`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


class Speller:
    """Corrections against a fixed set of known words (one language of the catalogue)."""

    def __init__(self, known: Iterable[str]) -> None:
        self.known = frozenset(word for word in known if word)
        self._by_trigram: dict[str, set[str]] = defaultdict(set)
        for word in self.known:
            if len(word) >= MIN_CORRECTED_LENGTH:
                for gram in _trigrams(word):
                    self._by_trigram[gram].add(word)

    def correct(self, word: str) -> str | None:
        """The known word closest to `word` within `max_distance`, preferring the most shared
        trigrams and then alphabetical order (so the answer never depends on set order);
        None when `word` is short, known already, or nothing is close."""
        if len(word) < MIN_CORRECTED_LENGTH or word in self.known:
            return None
        grams = _trigrams(word)
        shared: dict[str, int] = defaultdict(int)
        for gram in grams:
            for candidate in self._by_trigram.get(gram, ()):
                shared[candidate] += 1
        limit = max_distance(word)
        best: tuple[int, int, str] | None = None
        for candidate, count in shared.items():
            if count < len(grams) // 3:
                continue
            distance = edit_distance(word, candidate, limit)
            if distance <= limit:
                key = (distance, -count, candidate)
                best = key if best is None or key < best else best
        return best[2] if best else None

    def split(self, word: str) -> tuple[str, str] | None:
        """Two known words that together make `word` (`huurtoeslagaanvraag` is not needed to
        be known if `huurtoeslag` and `aanvraag` are), the longest first part winning."""
        if word in self.known:
            return None
        for cut in range(len(word) - MIN_COMPOUND_PART, MIN_COMPOUND_PART - 1, -1):
            head, tail = word[:cut], word[cut:]
            if head in self.known and tail in self.known:
                return head, tail
        return None
