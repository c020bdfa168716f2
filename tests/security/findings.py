"""What a probe found, grouped by route: one line per kind of finding, however many answers showed it."""

from collections import defaultdict


class Findings:
    def __init__(self) -> None:
        self._seen: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))

    def add(self, route: str, finding: str, example: str = "") -> None:
        self._seen[route][finding].append(example)

    def __bool__(self) -> bool:
        return bool(self._seen)

    def __len__(self) -> int:
        return sum(len(f) for f in self._seen.values())

    def report(self, limit: int = 400) -> str:
        lines = []
        for route in sorted(self._seen):
            lines.append(f"{route}:")
            for finding, examples in sorted(self._seen[route].items()):
                seen = f" ({len(examples)}×, e.g. {examples[0]})" if examples[0] else ""
                lines.append(f"  - {finding}{seen}")
        if len(lines) > limit:
            lines = lines[:limit] + [f"… and {len(lines) - limit} more lines"]
        return f"{len(self)} findings:\n" + "\n".join(lines)
