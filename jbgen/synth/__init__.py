"""Synthesizers: turn a method's specification into jbgen assembly text.

``search/`` is the offline enumerative synthesizer (no model, no network).
"""
