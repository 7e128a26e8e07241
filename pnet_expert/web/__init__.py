"""The classroom web app and HTTP API: ``pnet-expert serve``.

An optional extra (``pip install 'pnet-expert[web]'``: Starlette on uvicorn);
the core install does not need it, and nothing below this layer imports it.
One small server gives both:

* pages, rendered on the server from Jinja2 templates in the reports' look,
  that need no script: a consultation asked one step at a time (the REPL's
  interview, its answers carried in the form so that the server keeps no
  session), the case report, the knowledge base, and a case file to upload
  or paste (:mod:`.pages`, :mod:`.steps`);
* a JSON API whose answers are the library's own (``POST /api/recommend``
  returns exactly ``Consultation.to_dict()``), described by an OpenAPI
  document built from the knowledge base (:mod:`.api`, :mod:`.openapi`).

Every request is bounded in size and time, answered with a strict
Content-Security-Policy, and never writes to the server's disk
(:mod:`.guard`, :mod:`.limits`). :func:`pnet_expert.web.app.create_app`
builds the ASGI application; :mod:`.server` runs it.
"""
