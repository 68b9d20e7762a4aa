"""Hostile inputs: every way a package from another organisation's system can attack the reader."""
