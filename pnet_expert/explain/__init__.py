"""The result of a consultation and its explanations.

``consultation`` (the result model: options, reasons, findings, gaps),
``build`` (the result assembled, complete, from the engine's firings),
``recommend`` (a case in, a Consultation out), ``text`` (plain-text views:
options, HOW, WHY NOT) and ``reports`` (Markdown and HTML reports, diagrams).
"""
