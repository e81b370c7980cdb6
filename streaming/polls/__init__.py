"""Live polls on an activity: moderators prepare, open and close them; attendees vote once."""
