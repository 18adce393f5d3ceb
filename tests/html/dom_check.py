#!/usr/bin/env python3
"""tests/html/dom_check.py: asserts the DOM a browser built from an `fwsight analyze --html`
page (chromium --dump-dom), against the JSON report of the same captures:

- the summary (id "summary", "The change to make") comes before the matrix and the paths, and
  holds one block per change when something is blocked;
- every blocked verdict of the JSON ("blocking": true) has its path section, with its verdict,
  and exactly one SVG ladder whose labels carry the evidence's first frame number;
- nothing in the page fetches or runs anything.

    dom_check.py PAGE.dom REPORT.json
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


def main():
    dom_path, json_path = sys.argv[1], sys.argv[2]
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
    if blocked and summary is not None and \
            not any("change" in n.classes() for n in summary.all()):
        errors.append("something is blocked and the summary holds no change")
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
        print("dom_check: %s: summary first, %d blocked paths with one ladder each, nothing "
              "external" % (dom_path, len(blocked)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
