"""The core: what a case and a knowledge base *are*, and what their conditions mean.

Nothing here reads a file, runs an engine or prints. ``errors`` (the errors),
``diagnostics`` (the one shape of every problem they carry) and ``codes`` (the
registry of its stable codes), ``schema`` (the knowledge base's spec classes and its
condition language), ``case`` (a case as data, and its validation against the
fact specs), ``logic`` (conditions in three values), ``space`` (the finite case
space the verifier and the interview reason over) and ``words`` (values and
conditions in plain words). Every other layer builds on this one.
"""
