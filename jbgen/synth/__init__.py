"""Synthesizers: turn a contract into jbgen assembly text.

``protocol`` is the interface every synthesizer implements and the build loop
drives (:class:`Synthesizer`, :class:`SynthRequest`, :class:`Proposal`, the
feedback of a repair round and its rendering; see ``docs/synthesis.md``).
``claude`` is the Anthropic Messages API backend (it imports the ``anthropic``
SDK, so import it only when it is used); ``prompt`` holds the text the model
is sent; ``replay`` records sessions and plays them back with no network.

``search/`` is the offline enumerative synthesizer (no model, no network).

Importing this package starts no JVM and imports no SDK. Import the names
from the module that defines them (``jbgen.synth.protocol`` and so on).
"""
