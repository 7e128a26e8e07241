"""The experta engine: the only layer that imports experta.

``compiler`` turns a knowledge base into an experta engine class; ``session``
runs cases through it and reads the firings back as plain data.
"""
