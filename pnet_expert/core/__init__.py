"""The core: what a case and a knowledge base *are*, and what their conditions mean.

Nothing here reads a file, runs an engine or prints. ``errors`` (the errors),
``diagnostics`` (the one shape of every problem they carry) and ``codes`` (the
registry of its stable codes), ``show`` (values as messages quote them),
``schema`` (the knowledge base's spec classes, its condition language and its
orders), ``records`` (a record of a records fact, as data), ``values`` and
``case`` (a case as data, and its validation against the fact specs),
``defaults`` (the knowledge base used when none is named), ``logic``
(conditions in three values), ``space`` (the finite case space the verifier and
the interview reason over), ``options`` (an option's strength and qualifiers
from the rules that offer it) and ``words`` (values, records and conditions in
plain words, and the wrapping of plain text). Every other layer builds on this one.
"""
