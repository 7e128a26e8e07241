"""The interactive consultation: the interview (no I/O), its questions, the terminal REPL."""
