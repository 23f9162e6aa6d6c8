"""apis of aten_mm."""
