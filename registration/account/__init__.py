"""The attendee's own pages: manage link, login links, mail preferences, data export."""
