"""Contact fields mapped onto Mailchimp merge fields (beyond FNAME, LNAME, ADDRESS and PHONE)."""
