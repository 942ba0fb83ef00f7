"""The small bottom layer that several apps share and none owns. Imports no app (DESIGN.md §1-2)."""
