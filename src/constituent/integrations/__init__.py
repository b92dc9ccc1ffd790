"""Integrations with outside services, one package per vendor."""
