#!/usr/bin/env python3
"""tests/html/dom_check.py: asserts the DOM a browser built from an `fwsight analyze --html`
page (chromium --dump-dom), against the JSON report of the same captures:

- the summary (id "summary", "The change to make") comes before the matrix and the paths, and
  holds one block per change when something is blocked;
- every blocked verdict of the JSON ("blocking": true) has its path section, with its verdict,
  and exactly one SVG ladder whose labels carry the evidence's first frame number;
- nothing in the page fetches or runs anything;
- against the text report of the same captures (REPORT.txt): each summary's change lines
  (class "cl", in order) are the words of the report's "Change to make", one block per entry
  of the JSON's "changes"; each path's "answered by" is the report's line for that path, and
  its ladder's device lane names the device as that line does (address, basis, distance), a
  firewall between them where nothing answered; a capture the JSON says was in-path is shown
  as in-path, never as a host's or as unknown.

    dom_check.py PAGE.dom REPORT.json REPORT.txt
"""
import json
import re
import sys
from html.parser import HTMLParser

FORBIDDEN_TAGS = {"script", "link", "img", "iframe", "object", "embed", "base", "frame",
                  "audio", "video", "source", "image", "use", "foreignobject"}
FORBIDDEN_ATTRS = {"src", "href", "xlink:href", "action", "srcset", "poster", "background",
                   "data"}
VOID = {"meta", "br", "hr", "input", "img", "link", "area", "base", "col", "source", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children, self.text = [], []

    def all(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.all()

    def content(self):
        return "".join(c if isinstance(c, str) else c.content() for c in self.children)

    def classes(self):
        return (self.attrs.get("class") or "").split()


class Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", [], None)
        self.cur = self.root
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.problems.append("a <%s> element" % tag)
        for k, v in attrs:
            if k in FORBIDDEN_ATTRS or k.startswith("on"):
                self.problems.append("attribute %s=%r on <%s>" % (k, v, tag))
            if v and "url(" in v:
                self.problems.append("url() in %s of <%s>" % (k, tag))
        node = Node(tag, attrs, self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.cur = self.cur.parent

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def words(text):
    return " ".join(text.split())


def report_changes(text):
    """The "Change to make" blocks of the text report, each as its words."""
    blocks, cur = [], None
    for line in text.splitlines():
        if line.endswith("Change to make"):
            cur = []
            blocks.append(cur)
        elif cur is not None and line.strip():
            cur.append(line)
        else:
            cur = None
    return [words(" ".join(b)) for b in blocks]


def report_answered(text):
    """Per blocked path of the text report ("FROM -> TO proto port (service): VERDICT"), its
    "confidence ..., answered by ..." line, joined where it was wrapped."""
    out, head, lines = {}, None, text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"  (\S+ -> \S+ \S+ \S+ \(.*\): \S+)", line)
        if m:
            head = m.group(1)
        elif head and line.startswith("    confidence "):
            full = line.strip()
            for more in lines[i + 1:]:
                if not more.startswith("      "):
                    break
                full += " " + more.strip()
            out.setdefault(head, full)
            head = None
    return out


def check_words(nodes, by_id, report, text, errors):
    """The summaries against the report's "Change to make"; who answered, against its paths."""
    summaries = [n for n in nodes if n.tag == "section" and
                 (n.attrs.get("id") or "").startswith("summary")]
    blocks = report_changes(text)
    if len(summaries) != len(blocks):
        errors.append("%d summaries for %d 'Change to make' in the report" %
                      (len(summaries), len(blocks)))
    for sm, want in zip(summaries, blocks):
        got = words(" ".join(n.content() for n in sm.all() if "cl" in n.classes()))
        if got != want:
            at = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b),
                      min(len(got), len(want)))
            at = got.rfind(" ", 0, max(at - 40, 0)) + 1
            errors.append("summary %s differs from the report's change to make from:\n"
                          "  page:   %s\n  report: %s" %
                          (sm.attrs.get("id"), got[at:at + 160], want[at:at + 160]))
    if len(summaries) == 1:
        nch = sum(1 for n in summaries[0].all() if "change" in n.classes())
        if nch != len(report.get("changes", [])):
            errors.append("%d change blocks for %d changes in the JSON" %
                          (nch, len(report.get("changes", []))))
    return report_answered(text)


def check_device(title, sec, v, answered, errors):
    """The path's "answered by" and its ladder's device lane, as the report names the device."""
    line = answered.get(title.replace(" \u2192 ", " -> "))
    got = [words(n.content()) for n in sec.all() if "answered" in n.classes()]
    if line is None:
        errors.append("%s: no such path in the text report" % title)
    elif got != [line]:
        errors.append("%s: answered by %s, the report says %r" % (title, got, line))
    lane = " ".join(words(n.content()) for g in sec.all() if "device" in g.classes()
                    for n in g.all() if n.tag == "text")
    basis, by = v.get("answered_by_basis"), v.get("answered_by")
    if basis is None and by in (None, v["from"], v["to"]):
        if "between them" not in lane:
            errors.append("%s: nothing answered, the lane says %r" % (title, lane))
        return
    want = [basis] if basis else []
    if by not in (None, v["from"], v["to"]):
        want.append(by)
    m = re.search(r"\((?:[^,()]+), ([^()]+)\)$", line or "")
    if m:
        want.append(m.group(1))  # the distance, as the report gives it
    for w in want:
        if w not in lane:
            errors.append("%s: the device lane %r lacks %r" % (title, lane, w))
    if "nobody" in " ".join(got):
        errors.append("%s: 'nobody' for a packet someone sent" % title)


def check_in_path(nodes, by_id, report, errors):
    caps = report.get("captures", [])
    section = by_id.get("captures")
    items = [n for n in section.all() if n.tag == "li"] if section is not None else []
    ladders = [n for n in nodes if n.tag == "svg"]
    for k, c in enumerate(caps):
        if c.get("capture_point") != "in-path":
            continue
        li = words(items[k].content()) if k < len(items) else ""
        if "(in-path)" not in li or "unknown" in li or "captured on the path" not in li:
            errors.append("capture %d is in-path, the page says %r" % (k + 1, li))
        for svg in ladders:
            if not any("in-path" in n.content() for n in svg.all() if n.tag == "text"):
                errors.append("capture %d is in-path, a ladder does not say so" % (k + 1))
                break


def main():
    dom_path, json_path, text_path = sys.argv[1], sys.argv[2], sys.argv[3]
    tree = Tree()
    tree.feed(open(dom_path, encoding="utf-8").read())
    report = json.load(open(json_path))
    errors = list(tree.problems)
    nodes = list(tree.root.all())
    for n in nodes:
        if n.tag == "style" and re.search(r"url\(|@import", n.content()):
            errors.append("the style sheet fetches something")

    order = {id(n): i for i, n in enumerate(nodes)}
    by_id = {n.attrs.get("id"): n for n in nodes if n.attrs.get("id")}
    summary, matrix = by_id.get("summary"), by_id.get("matrix")
    paths = [n for n in nodes if n.tag == "section" and "path" in n.classes()]
    if summary is None or "The change to make" not in summary.content():
        errors.append("no summary ('The change to make')")
    elif matrix is None or order[id(summary)] > order[id(matrix)] or \
            any(order[id(p)] < order[id(summary)] for p in paths):
        errors.append("the summary is not first")

    blocked = [v for v in report["verdicts"] if v["blocking"]]
    answered = check_words(nodes, by_id, report, open(text_path, encoding="utf-8").read(),
                           errors)
    check_in_path(nodes, by_id, report, errors)
    headings = {}
    for p in paths:
        h3 = [n for n in p.all() if n.tag == "h3"]
        svgs = [n for n in p.all() if n.tag == "svg"]
        title = h3[0].content() if h3 else "?"
        headings[title] = p
        if len(svgs) != 1 or "ladder" not in svgs[0].classes():
            errors.append("%s: %d SVG ladders, expected one" % (title, len(svgs)))
    if len(paths) != len(blocked):
        errors.append("%d path sections for %d blocked verdicts" % (len(paths), len(blocked)))
    two = len(report.get("captures", [])) == 2
    for v in blocked:
        port = "echo" if v["proto"] == "icmp" else str(v["port"])
        want = "%s \u2192 %s %s %s (%s): %s" % (v["from"], v["to"], v["proto"], port,
                                               v["service"], v["verdict"])
        match = [t for t in headings if t.startswith(want)]
        if not match:
            errors.append("no path section for %r (have %s)" % (want, list(headings)))
            continue
        check_device(want, headings[match[0]], v, answered, errors)
        svgs = [n for n in headings[match[0]].all() if n.tag == "svg"]
        if not svgs:
            continue  # said above
        svg = svgs[0]
        shapes = [n for n in svg.all() if n.tag in ("line", "polygon", "path")]
        if len(shapes) < 5:  # three lanes, then at least an arrow and its end
            errors.append("%s: the ladder draws no packet" % want)
        frame = None
        for e in v["evidence"]:
            m = re.search(r"frame (\d+)(?: of capture (\d))?", e)
            if m:
                frame = ("%s:#%s" % (m.group(2), m.group(1))) if two else "#" + m.group(1)
                break
        labels = " ".join(n.content() for n in svg.all() if n.tag == "text")
        if frame and not re.search(re.escape(frame) + r"(?!\d)", labels):
            errors.append("%s: the ladder lacks the evidence's frame %s" % (want, frame))
    for e in errors:
        print("dom_check: %s: %s" % (dom_path, e))
    if not errors:
        print("dom_check: %s: summary first and the report's change to make, %d blocked paths "
              "with one ladder each naming the device as the report does, nothing external" %
              (dom_path, len(blocked)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
