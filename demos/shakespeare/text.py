"""Fitting what people type to the model's alphabet (no torch, no gradio here).

The model knows only the characters of tiny Shakespeare: plain ASCII letters, digit 3, space,
newline and ``!$&',-.:;?``. Anything else is mapped to its nearest known spelling (curly quotes
to straight ones, accents dropped, dashes to hyphens, tabs to spaces) or left out, and the
caller gets a note saying exactly what happened, to show the visitor.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Look-alikes first; then Unicode decomposition (é -> e + accent) is tried.
LOOK_ALIKES = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'", "\u00b4": "'",
    "\u201c": "'", "\u201d": "'", "\u201e": "'", "\u201f": "'", "\u2033": "'", '"': "'",
    "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-",
    "\u2026": "...", "\t": " ", "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\r": "\n",
    "\u2028": "\n", "\u2029": "\n", "\u00e6": "ae", "\u00c6": "AE", "\u0153": "oe", "\u0152": "OE",
    "\u00df": "ss", "\u00a1": "!", "\u00bf": "?",
}


@dataclass(frozen=True)
class FittedText:
    """``text`` in the model's alphabet; ``mapped`` (original -> replacement) and ``dropped`` say how."""

    text: str
    mapped: dict[str, str]
    dropped: tuple[str, ...]

    @property
    def note(self) -> str:
        """A sentence for the visitor; empty when nothing changed."""
        parts = []
        if self.mapped:
            pairs = ", ".join(f"{_show(old)} → {_show(new)}" for old, new in self.mapped.items())
            parts.append(f"changed {pairs}")
        if self.dropped:
            parts.append("left out " + " ".join(_show(char) for char in self.dropped))
        if not parts:
            return ""
        return "The model knows only the characters of its Shakespeare text, so I " + "; ".join(parts) + "."


def _show(text: str) -> str:
    names = {"\n": "a line break", " ": "a space", "\t": "a tab"}
    return names.get(text, f"“{text}”" if text.isprintable() else f"U+{ord(text[0]):04X}")


def fit_to_vocabulary(text: str, vocab: str) -> FittedText:
    """Map or drop every character of ``text`` that is not in ``vocab`` ("\\r\\n" becomes one line break)."""
    known = set(vocab)
    text = text.replace("\r\n", "\n")
    out, mapped, dropped = [], {}, []
    for char in text:
        if char in known:
            out.append(char)
            continue
        replacement = _nearest(char, known)
        if replacement:
            out.append(replacement)
            mapped.setdefault(char, replacement)
        elif char not in dropped:
            dropped.append(char)
    return FittedText("".join(out), mapped, tuple(dropped))


def _nearest(char: str, known: set[str]) -> str:
    """A spelling of ``char`` in known characters, or "" when there is none."""
    candidate = LOOK_ALIKES.get(char)
    if candidate is None:
        # é -> "e" + combining accent: keep the base letters, drop the marks
        candidate = "".join(part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part))
    if candidate and candidate != char and all(part in known for part in candidate):
        return candidate
    return ""
