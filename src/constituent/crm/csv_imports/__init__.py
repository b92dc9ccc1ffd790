"""CSV imports started from the browser: the file, its progress and its rejected rows, stored durably."""
