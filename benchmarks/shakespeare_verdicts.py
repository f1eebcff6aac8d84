"""How the Shakespeare tab's scorer rates texts of known kinds: the calibration of its verdicts.

    python -m benchmarks.shakespeare_verdicts

Scores each text below with `demos.shakespeare.nll` (average surprise per character, in nats)
and prints it with the verdict the tab gives. The texts were chosen, not taken from the
corpus: Shakespeare the model never read (no line of them is in tiny Shakespeare), other
English of his age, modern English, code and noise. The verdict bands in
`demos.shakespeare.predict.verdict` were set from these figures, so each kind lands in its band.
"""

from __future__ import annotations

import argparse
import statistics
import warnings

from demos.shakespeare import nll
from demos.shakespeare.predict import load_lstm, validation_loss, verdict
from demos.shakespeare.predict import UnknownCharactersWarning

# kind -> {title: text}
TEXTS: dict[str, dict[str, str]] = {
    "Shakespeare not in the corpus": {
        "Sonnet 18": (
            "Shall I compare thee to a summer's day?\nThou art more lovely and more temperate:\n"
            "Rough winds do shake the darling buds of May,\nAnd summer's lease hath all too short a date:\n"
            "Sometime too hot the eye of heaven shines,\nAnd often is his gold complexion dimm'd;"
        ),
        "Sonnet 116": (
            "Let me not to the marriage of true minds\nAdmit impediments. Love is not love\n"
            "Which alters when it alteration finds,\nOr bends with the remover to remove:\n"
            "O no! it is an ever-fixed mark\nThat looks on tempests and is never shaken;"
        ),
        "Hamlet III.1": (
            "HAMLET:\nTo be, or not to be: that is the question:\nWhether 'tis nobler in the mind to suffer\n"
            "The slings and arrows of outrageous fortune,\nOr to take arms against a sea of troubles,\n"
            "And by opposing end them? To die: to sleep;\nNo more;"
        ),
        "Macbeth V.5": (
            "MACBETH:\nTo-morrow, and to-morrow, and to-morrow,\nCreeps in this petty pace from day to day\n"
            "To the last syllable of recorded time,\nAnd all our yesterdays have lighted fools\n"
            "The way to dusty death. Out, out, brief candle!"
        ),
        "Julius Caesar III.2": (
            "ANTONY:\nFriends, Romans, countrymen, lend me your ears;\nI come to bury Caesar, not to praise him.\n"
            "The evil that men do lives after them;\nThe good is oft interred with their bones;\nSo let it be with Caesar."
        ),
        "The Merchant of Venice IV.1": (
            "PORTIA:\nThe quality of mercy is not strain'd,\nIt droppeth as the gentle rain from heaven\n"
            "Upon the place beneath: it is twice blest;\nIt blesseth him that gives and him that takes:"
        ),
    },
    "English of his age, not his": {
        "Bacon, Of Studies": (
            "Studies serve for delight, for ornament, and for ability. Their chief use for delight, is in "
            "privateness and retiring; for ornament, is in discourse; and for ability, is in the judgment, "
            "and disposition of business."
        ),
        "King James Bible, Genesis 1": (
            "In the beginning God created the heaven and the earth. And the earth was without form, and void; "
            "and darkness was upon the face of the deep. And the Spirit of God moved upon the face of the waters."
        ),
        "Marlowe, Doctor Faustus": (
            "Was this the face that launch'd a thousand ships,\nAnd burnt the topless towers of Ilium?\n"
            "Sweet Helen, make me immortal with a kiss.\nHer lips suck forth my soul: see where it flies!"
        ),
        "Jonson, Song to Celia": (
            "Drink to me only with thine eyes,\nAnd I will pledge with mine;\nOr leave a kiss but in the cup,\n"
            "And I'll not look for wine."
        ),
    },
    "modern English": {
        "an office e-mail": (
            "Hi team, just a quick reminder that the quarterly report is due on Friday. Please upload your "
            "figures to the shared drive by Thursday noon so we can review them together. Thanks!"
        ),
        "a news paragraph": (
            "The city council approved a new budget on Tuesday that increases funding for public transport "
            "and road repairs, while cutting spending on administrative services by four percent."
        ),
        "a recipe": (
            "Preheat the oven to 180 degrees. Whisk the eggs and sugar until pale, fold in the flour, and bake "
            "for twenty-five minutes or until a skewer comes out clean."
        ),
        "a product review": (
            "Battery life is great and the screen is bright, but the charger stopped working after two weeks. "
            "Customer support was helpful and sent a replacement quickly."
        ),
    },
    "code": {
        "Python": "def mean(values):\n    total = sum(values)\n    return total / len(values) if values else 0.0\n",
        "C": "#include <stdio.h>\nint main(void) {\n    for (int i = 0; i < 10; i++) printf(\"%d\\n\", i * i);\n    return 0;\n}\n",
        "JSON": '{"id": 4711, "name": "widget", "tags": ["blue", "small"], "price": 12.5, "stock": null}',
    },
    "noise": {
        "keyboard mash": "asdkjh qwpoeiru zmxncb alskdjf qpwoei zmxnvb laksjd hfgqwe",
        "random letters": "XQZJ vbkw PLMN tgrh YYZQ wvxk JQZP mnbv CXZL qwrt",
        "digits": "4839 2017 5582 9931 0046 7721 3358 6604 1197 8825",
    },
}


def score_all() -> dict[str, dict[str, float]]:
    """kind -> {title: nats per character}."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnknownCharactersWarning)  # code and noise use characters it lacks
        return {kind: {title: nll(text) for title, text in texts.items()} for kind, texts in TEXTS.items()}


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    reference, choices = validation_loss(), len(load_lstm().vocab)
    print(f"held-out Shakespeare (validation set): {reference:.2f} nats per character")
    for kind, scores in score_all().items():
        print(f"\n{kind}: median {statistics.median(scores.values()):.2f}")
        for title, loss in scores.items():
            print(f"  {loss:5.2f}  {title:30s} {verdict(loss, reference, choices).split(':')[0]}")


if __name__ == "__main__":
    main()
