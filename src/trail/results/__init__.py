"""Params, metrics and plots: loaders, pure diff functions and Vega-Lite rendering.

Everything here takes explicit inputs (a revision's files as bytes, dicts) so the commands and,
later, experiments can share it; nothing reads "the workspace" on its own.
"""
