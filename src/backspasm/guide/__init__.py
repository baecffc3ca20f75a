"""The code-selection guide: one decision-tree file -> one small page per path of answers.

data/decision_tree.yml -> model (typed nodes) -> validate (ids, links, cycles, reach,
codes) -> paths (every sequence of answers) -> pages (Jinja templates, no script);
data/cases.yml -> cases (every case walked through the tree: the guide's specification).
"""
