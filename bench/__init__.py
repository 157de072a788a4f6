"""Side-by-side benchmarks of Ember against PyTorch (`python -m bench`)."""
