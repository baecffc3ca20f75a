"""Build tooling for the back muscle spasm coding reference.

data/*.yml -> loader (typed models) -> checked against codeset -> Jinja templates
-> staged Markdown in build/docs -> mkdocs build -> site/
"""
