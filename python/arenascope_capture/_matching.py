"""Names the allocator run's reports after the tracemalloc run's snapshots they correspond to."""

import json


class Matcher:
    """Pairs allocator reports with the snapshots listed in the tracemalloc run's captures.jsonl.

    A labelled report (start, checkpoint, test, exit, exception, interrupted) matches the snapshot with the
    same label and the same occurrence number of that label (the 2nd "after batch" with the 2nd one):
    `"by": "label"`, exact as far as the program takes the same path twice.

    An interval report matches the not yet matched interval snapshot whose `elapsed` is nearest, within one
    interval: `"by": "time"`. This is approximate: the run without tracemalloc is faster, so the same
    moment of the program comes earlier in it; treat such pairs as "about the same point". Only a snapshot
    after every one a labelled report matched so far: one before is an earlier moment of the program
    (matched, it put the reports out of order, and every report was refused).

    A report that matches nothing gets the number after the last one in use and `"matches": null`.
    """

    def __init__(self, index_file, interval):
        self.interval = interval
        self.labelled = {}  # label -> [index, ...] in capture order (interval snapshots excluded)
        self.intervals = []  # [(elapsed, index)] of interval snapshots
        self.files = {}  # index -> file
        self.seen = {}  # label -> how many labelled reports had it so far
        self.used = set()
        self.last = 0
        self.last_labelled = 0  # the last snapshot a labelled report matched
        for event in _read_events(index_file):
            index, label = event.get("index"), event.get("label")
            if not isinstance(index, int) or not isinstance(event.get("file"), str):
                continue
            self.files[index] = event["file"]
            self.last = max(self.last, index)
            if event.get("source") == "interval":
                elapsed = event.get("elapsed")
                if isinstance(elapsed, (int, float)):
                    self.intervals.append((float(elapsed), index))
            elif isinstance(label, str):
                self.labelled.setdefault(label, []).append(index)

    def match(self, label, source, elapsed):
        """Returns (number for the report's file, matched snapshot file or None, "label" | "time" | None)."""
        found, by = None, None
        if source == "interval":
            near = [(abs(t - elapsed), i) for t, i in self.intervals if i not in self.used and i > self.last_labelled]
            if near:
                gap, index = min(near)
                if gap <= self.interval:
                    found, by = index, "time"
        else:
            n = self.seen.get(label, 0)
            self.seen[label] = n + 1
            same = self.labelled.get(label, [])
            if n < len(same) and same[n] not in self.used:
                found, by = same[n], "label"
                self.last_labelled = max(self.last_labelled, found)
        if found is None:
            number = max([self.last] + list(self.used)) + 1
            self.used.add(number)
            return number, None, None
        self.used.add(found)
        return found, self.files[found], by


def _read_events(path):
    if not path:
        return []
    events = []
    try:
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                try:
                    event = json.loads(line)
                except ValueError:  # the last line of a run that was killed while writing it
                    continue
                if isinstance(event, dict) and event.get("kind") == "snapshot":
                    events.append(event)
    except OSError:
        return []
    return events
