"""torch.nn (being implemented)."""
