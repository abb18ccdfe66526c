"""Stages: each reads a Document's layers and returns new layers (``{layer_name: [Span, ...]}``).

One concern per module, one public function per module. :mod:`pipeline.recipe` runs them in order.
"""
