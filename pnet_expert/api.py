"""The library's front door: ``recommend(case) -> Consultation``.

The work is done in :mod:`pnet_expert.explain.recommend`; the layers below the
front door import it from there, never from here.
"""

from __future__ import annotations

from pnet_expert.explain.recommend import recommend

__all__ = ["recommend"]
