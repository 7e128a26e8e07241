"""Interoperability: the knowledge base and its consultations in other people's standards.

Each module has one job and reads the knowledge base's data, never a rule
written in Python:

* :mod:`.schema`: JSON Schema (draft 2020-12) for a case and for a result;
* :mod:`.terminology` and :mod:`.fhir`: a case as a FHIR R4 bundle shaped by
  mCODE, and back, with the project's own CodeSystem for the remaining facts;
* :mod:`.cds_hooks`: a CDS Hooks 2.0 service as pure functions (discovery and
  a call answered with cards), for the web app to serve;
* :mod:`.clips`: the knowledge base (and a case's facts) as CLIPS source.

It sits above the front door (``pnet_expert.api``) and below the command line
and the web app, which it never imports.
"""
