"""What a contact's profile shows about them across the CRM's domains: tab counts, the giving summary."""
