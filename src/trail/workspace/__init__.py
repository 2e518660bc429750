"""The working tree: walking with ignore rules, building objects, checking out, links."""
