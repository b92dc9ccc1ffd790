"""The contact database: contacts, emails, groups, saved searches, contributions, activities."""
