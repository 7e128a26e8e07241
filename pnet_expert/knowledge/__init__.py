"""The knowledge base's files turned into checked spec objects (:mod:`pnet_expert.core.schema`).

``nodes`` and ``parse`` read YAML nodes into specs, keeping positions;
``crosscheck`` checks references and domains; ``loader`` puts it together;
``cache`` keeps a checked knowledge base between runs.
"""
