"""Duplicate contacts: finding likely pairs, and merging two contacts into one."""
