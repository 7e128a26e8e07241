"""Verification of a knowledge base: quotes, coverage, reachability, subsumption, gaps, diffs.

Every function here reasons over the finite space of cases that the knowledge
base's conditions can tell apart (:mod:`pnet_expert.core.space`), never over samples, and
returns attrs results; nothing prints. The command line (``pnet-expert kb
check``, ``kb diff``) only formats them.
"""
