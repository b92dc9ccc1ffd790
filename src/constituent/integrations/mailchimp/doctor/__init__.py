"""The doctor: checks an integration's every moving part and repairs the safe ones (issue 19)."""
