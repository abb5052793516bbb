"""The review as Markdown (text in a terminal is the same words without the marks)."""

from __future__ import annotations

from patron.services.review import Review


def markdown(review: Review) -> str:
    out = [f"# Review of the {review.period} {review.first} to {review.last}", ""]
    out += ["## Would they hire you back?", ""]
    for c in review.clients:
        arrow = "up" if c.score > c.previous_score + 0.5 else \
            "down" if c.score < c.previous_score - 0.5 else "steady"
        out += [f"### {c.engagement}: {c.score:.0f}/100, {c.verdict} "
                f"({arrow} from {c.previous_score:.0f})", ""]
        out += _items("Promises kept", c.kept) + _items("Promises broken", c.broken)
        out += _items("Feedback received", c.feedback)
        out += _items("Feedback not asked for from", c.not_asked)
        out += _items("Asks done", c.asks_done)
    out += ["## Your three bosses", "", "| boss | time | share | target |", "| --- | ---: | ---: | ---: |"]
    total = sum(review.time_minutes.values()) or 1
    for boss, minutes in review.time_minutes.items():
        out.append(f"| {boss} | {minutes // 60}h{minutes % 60:02d} | {minutes / total:.0%} "
                   f"| {review.time_target[boss]:.0%} |")
    out += ["", "## Your own goals", ""]
    for goal in review.goals:
        notes = "; ".join(goal["notes"]) or "no progress noted this period"
        out.append(f"- {goal['title']} ({goal['kind']}, {goal['status']}): {notes}")
    out += ["", "## Relationships going cold", ""]
    out += [f"- {line}" for line in review.neglected] or ["- none"]
    out += ["", "## Reflection", ""]
    answered = dict(review.reflections)
    for question, answer in review.last_reflections:
        out.append(f"- Last period you wrote, to \"{question}\": {answer}")
    from patron.domain.periods import MENTOR_QUESTIONS

    for n, question in enumerate(MENTOR_QUESTIONS, start=1):
        out.append(f"{n}. {question} {('*' + answered[question] + '*') if question in answered else ''}"
                   .rstrip())
    out += ["", "Answer with `patron reflect N \"...\"`.", ""]
    return "\n".join(out)


def _items(title: str, items: list[str]) -> list[str]:
    if not items:
        return []
    return [f"{title}:", *(f"- {item}" for item in items), ""]


def text(review: Review) -> str:
    """The same report for a terminal: Markdown's marks taken out."""
    lines = []
    for line in markdown(review).splitlines():
        stripped = line.lstrip("#").strip() if line.startswith("#") else line.replace("*", "")
        if line.startswith("| ---"):
            continue
        lines.append(stripped.replace(" | ", "  ").strip("| ") if line.startswith("|") else stripped)
    return "\n".join(lines) + "\n"
