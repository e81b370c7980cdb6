"""Meeting colleagues: an opt-in directory, meeting requests at networking slots, themed tables."""
