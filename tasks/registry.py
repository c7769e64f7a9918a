"""Diarium tasks (placeholder)."""
