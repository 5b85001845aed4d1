"""Pure domain code: plain dataclasses and functions, no I/O, no Textual."""
