"""Personal agendas: the agenda, snapshots, history, calendars and feeds, follows, reminders."""
