"""The web app: JSON API under /api/v1 (Bearer tokens); the browser pages come later under the same app."""
