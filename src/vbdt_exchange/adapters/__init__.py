"""Channels to the axis: the adapter interface and its VDXP, LGSP and in-memory implementations.

* :mod:`vbdt_exchange.adapters.vdxp_wire` — the ``XroadVnpt-*`` request signing both the VDXP
  client and the local reference axis use.
"""
