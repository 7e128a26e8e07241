"""The knowledge base's files turned into checked spec objects (:mod:`pnet_expert.core.schema`).

``nodes`` reads YAML nodes into typed values (a problem ends one item, never
the file), ``parse`` reads each file into specs and ``conditions`` the condition
language (one reader per head, from a table), positions kept for every
diagnostic; ``crosscheck`` checks references and domains; ``loader`` puts it
together; ``cache`` keeps a checked knowledge base between runs.
"""
