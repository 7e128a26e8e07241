"""Files in and out: strict YAML, case files (JSON, YAML, TOML), atomic writes.

Reading never guesses and never executes what a file holds; writing is atomic.
"""
