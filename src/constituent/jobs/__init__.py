"""Background jobs: the Huey queue, its tasks and schedules, and the dispatch functions the app calls."""
