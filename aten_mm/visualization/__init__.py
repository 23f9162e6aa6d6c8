"""visualization of aten_mm."""
