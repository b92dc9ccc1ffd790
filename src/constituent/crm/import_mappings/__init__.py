"""Import mappings saved by name: which field each column of a regular file fills, reused next time."""
