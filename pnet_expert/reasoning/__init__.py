"""Reasoning about a case beyond what the engine fires, in three values.

``checks`` (each rule's conditions on a case: met, not met, unknown: WHY NOT),
``relevance`` (what can still change the options: the interview), ``gaps``
(where the case's own section is silent). Built on :mod:`pnet_expert.core`.
"""
