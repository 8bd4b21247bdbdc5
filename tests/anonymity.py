"""The health check's promise, as a test helper: no output puts a name to a score."""

from __future__ import annotations


def assert_anonymous(outputs: list[str], answers) -> None:
    """No output that names a respondent carries their scores or their comment.

    ``answers`` are (person, scores, comment); ``outputs`` are texts the bot sent, showed or
    logged. Scores are looked for in every shape code would print them in."""
    for person, scores, comment in answers:
        shapes = {" ".join(map(str, scores)), ",".join(map(str, scores)), ", ".join(map(str, scores)),
                  repr(tuple(scores)), repr(list(scores))}
        for text in outputs:
            if person in text:
                assert not any(shape in text for shape in shapes), f"{person}'s scores next to their ID: {text}"
                assert not comment or comment not in text, f"{person}'s comment next to their ID: {text}"
