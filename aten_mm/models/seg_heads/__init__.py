"""seg_heads."""
