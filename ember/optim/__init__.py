"""torch.optim (being implemented)."""
