"""Write the bundled multiple-choice suites' data from templates, deterministically.

``python -m bot.evaluation.suites.generate`` rewrites ``steward_agreement/steward_agreement.jsonl`` and
``steward_arithmetic/steward_arithmetic.jsonl``; a test checks that the shipped files equal its output. The
prose of ``steward_prose`` is written by hand (project-written text, no third-party data).

- **agreement**: subject-verb agreement minimal pairs with an attractor of the other number between subject
  and verb ("The keys to the cabinet" → "is on the table." / "are on the table."). Singular and plural
  verbs differ in length, so ``acc_norm`` differs from ``acc``.
- **arithmetic**: two-digit addition and subtraction with four numeric choices (the answer, off by one,
  off by ten, and the operands' other operation).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).parent
SEED = 20261128

SUBJECTS = [
    ("author", "authors"), ("teacher", "teachers"), ("dog", "dogs"), ("house", "houses"), ("key", "keys"),
    ("child", "children"), ("doctor", "doctors"), ("painting", "paintings"), ("student", "students"),
    ("car", "cars"), ("bridge", "bridges"), ("letter", "letters"), ("woman", "women"), ("man", "men"),
    ("farmer", "farmers"), ("bottle", "bottles"),
]  # fmt: skip
ATTRACTORS = [
    ("near the {}", ("window", "windows")), ("behind the {}", ("tree", "trees")),
    ("next to the {}", ("lamp", "lamps")), ("with the {}", ("red door", "red doors")),
    ("from the {}", ("village", "villages")), ("beside the {}", ("old wall", "old walls")),
]  # fmt: skip
PREDICATES = [
    ("is", "are", "very old."), ("was", "were", "here yesterday."), ("has", "have", "a long history."),
    ("is", "are", "on the table."), ("was", "were", "hard to find."), ("seems", "seem", "quite happy."),
    ("looks", "look", "tired today."), ("does", "do", "not matter."),
]  # fmt: skip


def agreement(count: int = 160) -> list[dict]:
    rnd = random.Random(SEED)
    documents = []
    for i in range(count):
        plural = i % 2 == 1  # balanced: even items singular subjects, odd items plural
        subject = rnd.choice(SUBJECTS)[1 if plural else 0]
        template, nouns = rnd.choice(ATTRACTORS)
        attractor = template.format(nouns[0 if plural else 1])  # the attractor has the other number
        singular_verb, plural_verb, rest = rnd.choice(PREDICATES)
        documents.append({
            "prefix": f"The {subject} {attractor}",
            "choices": [f"{singular_verb} {rest}", f"{plural_verb} {rest}"],
            "label": 1 if plural else 0,
        })  # fmt: skip
    return documents


def arithmetic(count: int = 160) -> list[dict]:
    rnd = random.Random(SEED + 1)
    documents = []
    for i in range(count):
        a, b = rnd.randint(10, 99), rnd.randint(10, 99)
        if i % 2:
            a, b = max(a, b), min(a, b)
            question, answer, other = f"What is {a} minus {b}?", a - b, a + b
        else:
            question, answer, other = f"What is {a} plus {b}?", a + b, abs(a - b)
        wrong = [answer + rnd.choice((-1, 1)), answer + rnd.choice((-10, 10)), other]
        options = [answer] + [w for w in dict.fromkeys(wrong) if w != answer and w >= 0]
        while len(options) < 4:
            options.append(answer + len(options) + 1)
        rnd.shuffle(options)
        documents.append({
            "question": f"Question: {question}\nAnswer:",
            "choices": [str(o) for o in options],
            "label": options.index(answer),
        })  # fmt: skip
    return documents


def write_jsonl(path: Path, documents: list[dict]) -> None:
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in documents), encoding="utf-8")


GENERATED = {
    "steward_agreement/steward_agreement.jsonl": agreement,
    "steward_arithmetic/steward_arithmetic.jsonl": arithmetic,
}


def main(argv: list[str] | None = None) -> int:
    target = Path(argv[0]) if argv else HERE
    for relative, build in GENERATED.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        write_jsonl(path, build())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
