"""Upstream adapters: one `Backend` interface, adapters registered by kind."""
