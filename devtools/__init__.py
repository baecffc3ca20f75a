"""Development tools: the local server, `make serve` with reload, bench, screenshots.

Apart from the build (package backspasm): nothing here is needed to build or publish.
"""
